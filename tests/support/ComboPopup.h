#pragma once

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QTest>

// Waits for the combo box's popup to close and its window to be active again. The offscreen
// platform, with no window manager, activates the popup's window late, after it has closed; a
// desktop gives the activation back to the combo box's window, as this does.
inline bool popupClosed(QComboBox *combo)
{
    QAbstractItemView *list = combo->view();
    if (!QTest::qWaitFor([list] { return !list->isVisible(); }, 5000))
        return false;
    QApplication::processEvents();
    return QTest::qWaitFor(
        [combo] {
            if (!combo->window()->isActiveWindow())
                combo->window()->activateWindow();
            return combo->window()->isActiveWindow() && QApplication::focusWidget() == combo;
        },
        5000);
}

// Picks entry `target` of a combo box as a user does: opens its popup, walks the popup's list
// with the arrow keys and presses Enter (the box emits activated() as for a user's choice).
// Arrow keys on the closed box would not do: the profile box ignores them on purpose. An entry
// that is current already is left alone. Header-only: each test that picks from a combo box
// includes it.
inline bool chooseInPopup(QComboBox *combo, int target)
{
    if (target < 0 || target >= combo->count())
        return false;
    if (combo->currentIndex() == target)
        return true; // nothing to choose
    combo->setFocus(Qt::MouseFocusReason);
    combo->showPopup();
    QAbstractItemView *list = combo->view();
    if (!QTest::qWaitFor([list] { return list->isVisible(); }, 5000))
        return false;
    for (int steps = 0; list->currentIndex().row() != target && steps <= combo->count(); ++steps)
        QTest::keyClick(list, list->currentIndex().row() < target ? Qt::Key_Down : Qt::Key_Up);
    if (list->currentIndex().row() != target)
        return false;
    QTest::keyClick(list, Qt::Key_Return);
    return popupClosed(combo) && combo->currentIndex() == target;
}
