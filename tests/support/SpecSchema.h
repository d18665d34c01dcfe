#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

// Checks JSON against the schemas in the published spec (resources/journy-openapi.json), so tests
// compare what the client sends, and what fixtures answer, with the contract itself rather than
// with the client's own idea of it. Covers the JSON Schema subset the spec uses: type, nullable,
// properties, required, minProperties, additionalProperties, items, allOf and oneOf.
class SpecSchema
{
public:
    SpecSchema();

    bool isLoaded() const { return !m_paths.isEmpty(); }
    // Violations of operationId's request-body schema; empty when the body conforms.
    QStringList checkRequest(const QString &operationId, const QJsonValue &body) const;
    // Violations of operationId's response schema for the status.
    QStringList checkResponse(const QString &operationId, int status, const QJsonValue &body) const;
    // Every operationId in the spec.
    QStringList operationIds() const;
    // "METHOD /path" of an operation, e.g. "POST /users/upsert".
    QString routeOf(const QString &operationId) const;
    // The 2xx status the spec declares for an operation.
    int successStatusOf(const QString &operationId) const;

private:
    QJsonObject operation(const QString &operationId) const;
    static void check(const QJsonValue &value, const QJsonObject &schema, const QString &path,
                      QStringList *errors);

    QJsonObject m_paths;
};
