#pragma once

#include "api/ApiOperation.h"

#include <QWidget>

class ApiRequest;
class ConsoleSession;

// One page of the main window's navigation (Users, Accounts, Catalog, History, ...). Pages talk
// to journy.io only through the ConsoleSession.
class ConsolePage : public QWidget
{
    Q_OBJECT
public:
    ConsolePage(ConsoleSession *session, QWidget *parent = nullptr) : QWidget(parent), m_session(session) {}

    // The name in the navigation list.
    virtual QString title() const = 0;
    // Operations this page can send; the window offers history entries of these back to it.
    virtual QList<Operation> operations() const { return {}; }
    // Fills the page's form from a request (history's "open in form"); false when not handled.
    virtual bool loadRequest(const ApiRequest &request)
    {
        Q_UNUSED(request);
        return false;
    }

protected:
    ConsoleSession *session() const { return m_session; }

private:
    ConsoleSession *m_session;
};
