#pragma once

#include <QDialog>

// About journy-console: its version and those of what it is built on — Qt as running now,
// QtKeychain as built against (it has no run-time version call) and the API spec the client
// follows (info.version of resources/journy-openapi.json, read at configure time).
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);
};
