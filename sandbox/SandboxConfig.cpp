#include "sandbox/SandboxConfig.h"

#include <limits>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <utility>

bool SandboxConfig::Faults::ratesValid(QString *error) const
{
    const QList<std::pair<QString, double>> rates = {{QStringLiteral("fail"), failRate},
                                                     {QStringLiteral("drop"), dropRate},
                                                     {QStringLiteral("garble"), garbleRate},
                                                     {QStringLiteral("429 burst"), burstRate}};
    double sum = 0;
    QStringList parts;
    for (const auto &[name, rate] : rates) {
        // NaN compares false with everything: without isfinite() it would pass any range check.
        if (!std::isfinite(rate) || rate < 0 || rate > 1) {
            *error = QStringLiteral("the %1 rate must be a number from 0 to 1, not %2").arg(name).arg(rate);
            return false;
        }
        sum += rate;
        parts.append(QStringLiteral("%1 %2").arg(name).arg(rate));
    }
    // One draw per request picks the fault, so the shares cannot add up to more than all requests
    // (a little slack for the sum of decimal fractions such as 0.1 + 0.2).
    if (sum > 1 + 1e-9) {
        *error = QStringLiteral("the fault rates add up to %1 (%2); together they must be from 0 to 1")
                     .arg(sum)
                     .arg(parts.join(QLatin1String(" + ")));
        return false;
    }
    return true;
}

const QStringList &SandboxConfig::allPermissions()
{
    static const QStringList permissions = {QStringLiteral("TrackData"), QStringLiteral("ReadEvents"),
                                            QStringLiteral("ReadProperties"), QStringLiteral("ReadSegments"),
                                            QStringLiteral("GetTrackingSnippet")};
    return permissions;
}

SandboxConfig SandboxConfig::defaults()
{
    SandboxConfig config;
    config.websites.insert(
        QStringLiteral("demo.example.com"),
        QStringLiteral(
            "<script>\n!function(){var e=window.journy=window.journy||[];e.push(['init',{writeKey:'"
            "sandbox-demo'}]);var t=document.createElement('script');t.async=!0;t.src="
            "'https://analytics.journy.io/cdn/sandbox-demo.js';document.head.appendChild(t)}();\n</script>"));
    config.userSegments = {{QStringLiteral("seg-trial-users"), QStringLiteral("Trial users")},
                           {QStringLiteral("seg-power-users"), QStringLiteral("Power users")},
                           {QStringLiteral("seg-churn-risk"), QStringLiteral("At risk of churning")}};
    config.accountSegments = {{QStringLiteral("seg-paying-accounts"), QStringLiteral("Paying accounts")},
                              {QStringLiteral("seg-enterprise"), QStringLiteral("Enterprise")}};
    return config;
}

void SandboxConfig::ensureAKey()
{
    if (keys.isEmpty())
        keys.insert(defaultKey(), Key{allPermissions(), true});
}

namespace {

bool readSegments(const QJsonValue &value, const QString &name, QList<SandboxConfig::Segment> *out,
                  QString *error)
{
    if (value.isUndefined())
        return true;
    if (!value.isArray()) {
        *error = QStringLiteral("%1 must be a list of {\"id\", \"name\"}").arg(name);
        return false;
    }
    out->clear();
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject object = item.toObject();
        if (!object.value(QLatin1String("id")).isString() ||
            !object.value(QLatin1String("name")).isString()) {
            *error = QStringLiteral("%1: every segment needs a string id and name").arg(name);
            return false;
        }
        out->append(
            {object.value(QLatin1String("id")).toString(), object.value(QLatin1String("name")).toString()});
    }
    return true;
}

bool readRate(const QJsonObject &faults, const char *name, double *out, QString *error)
{
    const QJsonValue value = faults.value(QLatin1String(name));
    if (value.isUndefined())
        return true;
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0 ||
        value.toDouble() > 1) {
        *error = QStringLiteral("faults.%1 must be a number from 0 to 1").arg(QLatin1String(name));
        return false;
    }
    *out = value.toDouble();
    return true;
}

bool readCount(const QJsonObject &object, const char *name, const QString &prefix, int minimum, int *out,
               QString *error, int maximum = std::numeric_limits<int>::max())
{
    const QJsonValue value = object.value(QLatin1String(name));
    if (value.isUndefined())
        return true;
    if (!value.isDouble() || value.toDouble() < minimum || value.toDouble() > maximum ||
        value.toDouble() != value.toInt()) {
        *error = maximum == std::numeric_limits<int>::max()
                     ? QStringLiteral("%1%2 must be a whole number of at least %3")
                           .arg(prefix, QLatin1String(name))
                           .arg(minimum)
                     : QStringLiteral("%1%2 must be a whole number from %3 to %4")
                           .arg(prefix, QLatin1String(name))
                           .arg(minimum)
                           .arg(maximum);
        return false;
    }
    *out = value.toInt();
    return true;
}

// A misspelt member would otherwise be ignored without a word: a key meant to be restricted
// would get every permission, a fault meant to be on would stay off.
bool onlyKnown(const QJsonObject &object, const QStringList &known, const QString &where, QString *error)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = QStringLiteral("%1unknown member '%2' (known: %3)")
                         .arg(where.isEmpty() ? QString() : where + QLatin1String(": "), it.key(),
                              known.join(QLatin1String(", ")));
            return false;
        }
    }
    return true;
}

} // namespace

bool SandboxConfig::merge(const QJsonObject &json, QString *error)
{
    static const QStringList known = {
        QStringLiteral("keys"),       QStringLiteral("rateLimit"), QStringLiteral("rateWindowSeconds"),
        QStringLiteral("websites"),   QStringLiteral("segments"),  QStringLiteral("faults"),
        QStringLiteral("connections")};
    if (!onlyKnown(json, known, QString(), error))
        return false;

    const QJsonValue keysValue = json.value(QLatin1String("keys"));
    if (!keysValue.isUndefined()) {
        if (!keysValue.isObject()) {
            *error = QStringLiteral("keys must map each key to {\"permissions\": [...], \"enabled\": bool}");
            return false;
        }
        const QJsonObject keyObject = keysValue.toObject();
        for (auto it = keyObject.begin(); it != keyObject.end(); ++it) {
            const QString where = QStringLiteral("keys.") + it.key();
            if (!it.value().isObject()) {
                *error = where + QStringLiteral(" must be {\"permissions\": [...], \"enabled\": bool}");
                return false;
            }
            const QJsonObject entry = it.value().toObject();
            if (!onlyKnown(entry, {QStringLiteral("permissions"), QStringLiteral("enabled")}, where, error))
                return false;
            Key key;
            const QJsonValue permissions = entry.value(QLatin1String("permissions"));
            const QJsonValue enabled = entry.value(QLatin1String("enabled"));
            if (!permissions.isUndefined() && !permissions.isArray()) {
                *error = where + QStringLiteral(".permissions must be a list of permission names");
                return false;
            }
            if (!enabled.isUndefined() && !enabled.isBool()) {
                *error = where + QStringLiteral(".enabled must be true or false");
                return false;
            }
            if (permissions.isUndefined()) {
                key.permissions = allPermissions();
            } else {
                for (const QJsonValue &permission : permissions.toArray()) {
                    if (!allPermissions().contains(permission.toString())) {
                        *error = QStringLiteral("keys.%1: unknown permission '%2' (known: %3)")
                                     .arg(it.key(), permission.toString(),
                                          allPermissions().join(QLatin1String(", ")));
                        return false;
                    }
                    key.permissions.append(permission.toString());
                }
            }
            key.enabled = enabled.toBool(true);
            if (it.key().isEmpty()) {
                *error = QStringLiteral("keys: a key must not be empty");
                return false;
            }
            keys.insert(it.key(), key);
        }
    }

    if (!readCount(json, "rateLimit", QString(), 1, &rateLimit, error) ||
        !readCount(json, "rateWindowSeconds", QString(), 1, &rateWindowSeconds, error))
        return false;

    const QJsonValue connectionsValue = json.value(QLatin1String("connections"));
    if (!connectionsValue.isUndefined() && !connectionsValue.isObject()) {
        *error = QStringLiteral("connections must be an object of connection settings");
        return false;
    }
    const QJsonObject connectionsObject = connectionsValue.toObject();
    if (!onlyKnown(connectionsObject,
                   {QStringLiteral("headerTimeoutMs"), QStringLiteral("idleTimeoutMs"),
                    QStringLiteral("maxConnections")},
                   QStringLiteral("connections"), error))
        return false;
    const QString connectionsPrefix = QStringLiteral("connections.");
    if (!readCount(connectionsObject, "headerTimeoutMs", connectionsPrefix, Connections::MinTimeoutMs,
                   &connections.headerTimeoutMs, error, Connections::MaxTimeoutMs) ||
        !readCount(connectionsObject, "idleTimeoutMs", connectionsPrefix, Connections::MinTimeoutMs,
                   &connections.idleTimeoutMs, error, Connections::MaxTimeoutMs) ||
        !readCount(connectionsObject, "maxConnections", connectionsPrefix, 1, &connections.maxConnections,
                   error, Connections::MaxConnectionsLimit))
        return false;

    const QJsonValue websitesValue = json.value(QLatin1String("websites"));
    if (!websitesValue.isUndefined()) {
        const QJsonObject object = websitesValue.toObject();
        if (!websitesValue.isObject()) {
            *error = QStringLiteral("websites must map each domain to its snippet");
            return false;
        }
        websites.clear();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!it.value().isString()) {
                *error = QStringLiteral("websites.%1 must be the snippet, a string").arg(it.key());
                return false;
            }
            websites.insert(it.key().toLower(), it.value().toString());
        }
    }

    const QJsonValue segmentsValue = json.value(QLatin1String("segments"));
    if (!segmentsValue.isUndefined() && !segmentsValue.isObject()) {
        *error = QStringLiteral("segments must be {\"users\": [...], \"accounts\": [...]}");
        return false;
    }
    const QJsonObject segments = segmentsValue.toObject();
    if (!onlyKnown(segments, {QStringLiteral("users"), QStringLiteral("accounts")},
                   QStringLiteral("segments"), error))
        return false;
    if (!readSegments(segments.value(QLatin1String("users")), QStringLiteral("segments.users"), &userSegments,
                      error) ||
        !readSegments(segments.value(QLatin1String("accounts")), QStringLiteral("segments.accounts"),
                      &accountSegments, error))
        return false;

    const QJsonValue faultsValue = json.value(QLatin1String("faults"));
    if (!faultsValue.isUndefined() && !faultsValue.isObject()) {
        *error = QStringLiteral("faults must be an object of fault settings");
        return false;
    }
    const QJsonObject faultsObject = faultsValue.toObject();
    if (!onlyKnown(faultsObject,
                   {QStringLiteral("latencyMs"), QStringLiteral("jitterMs"), QStringLiteral("failRate"),
                    QStringLiteral("dropRate"), QStringLiteral("garbleRate"), QStringLiteral("burstRate"),
                    QStringLiteral("burstLength"), QStringLiteral("seed")},
                   QStringLiteral("faults"), error))
        return false;
    const QString prefix = QStringLiteral("faults.");
    int seed = static_cast<int>(faults.seed);
    if (!readCount(faultsObject, "latencyMs", prefix, 0, &faults.latencyMs, error) ||
        !readCount(faultsObject, "jitterMs", prefix, 0, &faults.jitterMs, error) ||
        !readCount(faultsObject, "burstLength", prefix, 1, &faults.burstLength, error) ||
        !readCount(faultsObject, "seed", prefix, 0, &seed, error) ||
        !readRate(faultsObject, "failRate", &faults.failRate, error) ||
        !readRate(faultsObject, "dropRate", &faults.dropRate, error) ||
        !readRate(faultsObject, "garbleRate", &faults.garbleRate, error) ||
        !readRate(faultsObject, "burstRate", &faults.burstRate, error))
        return false;
    faults.seed = static_cast<quint32>(seed);
    if (!faults.ratesValid(error)) {
        *error = QStringLiteral("faults: ") + *error;
        return false;
    }
    return true;
}

bool SandboxConfig::loadFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1: not a JSON object (%2 at byte %3)")
                     .arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    if (!document.isObject()) {
        // Valid JSON of the wrong kind: the parser's "no error occurred" would only confuse.
        *error = QStringLiteral("%1: not a JSON object (the file holds a JSON %2)")
                     .arg(path, document.isArray() ? QStringLiteral("array") : QStringLiteral("value"));
        return false;
    }
    QString mergeError;
    if (!merge(document.object(), &mergeError)) {
        *error = QStringLiteral("%1: %2").arg(path, mergeError);
        return false;
    }
    return true;
}

QString SandboxConfig::fileFormatHelp()
{
    return QStringLiteral(R"(Config file (JSON; every member optional, flags override it):
  {
    "keys": {"KEY": {"permissions": ["TrackData", "ReadEvents", "ReadProperties",
                                     "ReadSegments", "GetTrackingSnippet"],
                     "enabled": true}},
    "rateLimit": 1800, "rateWindowSeconds": 60,
    "websites": {"demo.example.com": "<script>...</script>"},
    "segments": {"users": [{"id": "seg-1", "name": "Trial users"}],
                 "accounts": [{"id": "seg-2", "name": "Paying accounts"}]},
    "faults": {"latencyMs": 0, "jitterMs": 0, "failRate": 0, "dropRate": 0,
               "garbleRate": 0, "burstRate": 0, "burstLength": 5, "seed": 1},
    "connections": {"headerTimeoutMs": 10000, "idleTimeoutMs": 30000, "maxConnections": 512}
  }
A key without "permissions" gets all of them. With no key configured at all, the key
"sandbox" is accepted with every permission. The four fault rates are shares of the API
requests: each from 0 to 1, together at most 1 (one draw per request picks the fault).
)");
}
