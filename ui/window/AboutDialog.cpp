#include "ui/window/AboutDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About journy-console"));
    auto *heading = new QLabel(tr("journy-console — a desktop console for the journy.io API"), this);
    heading->setObjectName(QStringLiteral("headingLabel"));
    heading->setStyleSheet(QStringLiteral("font-weight: bold;"));

    auto *form = new QFormLayout;
    const auto addVersion = [this, form](const QString &what, const QString &objectName,
                                         const QString &version) {
        auto *label = new QLabel(version, this);
        label->setObjectName(objectName);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(what, label);
    };
    addVersion(tr("Version:"), QStringLiteral("versionLabel"), QStringLiteral(JOURNY_VERSION));
    addVersion(tr("Qt:"), QStringLiteral("qtVersionLabel"), QString::fromLatin1(qVersion()));
    addVersion(tr("QtKeychain:"), QStringLiteral("keychainVersionLabel"),
               QStringLiteral(JOURNY_QTKEYCHAIN_VERSION));
    addVersion(tr("journy.io API spec:"), QStringLiteral("specVersionLabel"),
               QStringLiteral(JOURNY_SPEC_VERSION));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(form);
    layout->addWidget(buttons);
}
