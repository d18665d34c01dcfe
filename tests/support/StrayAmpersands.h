#pragma once

#include <QLabel>
#include <QStringList>
#include <QWidget>

// A label's '&' is a mnemonic only when the label has a buddy (QFormLayout gives one only to a
// row whose field is a widget, not a layout); without one the user reads "&Domain". The texts
// of the labels under root that would show such a stray '&'; "&&" is a literal '&' and fine.
// Header-only: each page test includes it.
inline QStringList strayAmpersands(const QWidget *root, int *mnemonics = nullptr)
{
    QStringList stray;
    int count = 0;
    for (const QLabel *label : root->findChildren<QLabel *>()) {
        if (label->textFormat() == Qt::RichText ||
            !QString(label->text()).remove(QLatin1String("&&")).contains(QLatin1Char('&')))
            continue;
        ++count;
        if (!label->buddy())
            stray << label->text();
    }
    if (mnemonics)
        *mnemonics = count;
    return stray;
}
