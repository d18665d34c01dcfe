#pragma once

#include <QLabel>

// A one-line label that never widens its window (a long error, a long URL): it asks the layout
// for no width of its own, and when narrower than its text it draws the text cut with "…" and
// shows the whole text as its tooltip (unless it has a tooltip of its own). text() stays whole.
class ElidedLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    // The text as drawn: text() elided to the label's width.
    QString shownText() const;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QRect textArea() const;
};
