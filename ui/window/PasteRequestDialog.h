#pragma once

#include "api/ApiRequest.h"
#include "api/PastedRequest.h"

#include <QDialog>
#include <QList>
#include <QString>
#include <QTimer>

#include <functional>

#include <optional>

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

// File ▸ Open pasted request…: what a customer sent (a curl command, a raw HTTP request, a HAR, a
// bare JSON body) read back into a request for a form to show — never sent from here. The key it
// carried is never shown: only its fingerprint.
class PasteRequestDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PasteRequestDialog(const QString &text, QWidget *parent = nullptr);

    // The request to open: set only when exactly one is chosen.
    std::optional<ApiRequest> chosenRequest() const;
    // Reads the text now; typing reads it once typing pauses.
    void read();

    // Opens the dialog modally on text; the request to open, or nothing when cancelled. A test sets
    // the next call's behaviour with setNextAnswer: the function gets the dialog, built and read,
    // instead of the user, and returns whether it was accepted.
    static std::optional<ApiRequest> ask(QWidget *parent, const QString &text);
    static void setNextAnswer(std::function<bool(PasteRequestDialog *)> answer);

    // Whether text looks like something to paste here (curl…, an HTTP request line, a HAR, a
    // JSON object), so the clipboard's text pre-fills the editor only then.
    static bool looksLikeRequest(const QString &text);

private:
    void showItem();

    QPlainTextEdit *m_textPlainTextEdit;
    QComboBox *m_operationComboBox;
    QLabel *m_errorLabel;
    QListWidget *m_itemListWidget;
    QLabel *m_itemLabel;
    QPushButton *m_openPushButton;
    QTimer m_readTimer;
    QList<PastedRequest::Item> m_items;
};
