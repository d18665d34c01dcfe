#pragma once

#include "api/ApiReply.h"
#include "sandbox/SandboxServer.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "ui/session/ConsoleSession.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

// What the console gives a page, built the way the console builds it: a ConsoleSession on a
// temporary profiles file, an in-memory keychain and a fresh sandbox data file, so page tests
// drive real requests against the in-process sandbox. Header-only: each page test includes it.
class PageTestSession
{
public:
    PageTestSession()
        : profiles(dir.filePath(QStringLiteral("profiles.ini"))),
          session(&secrets, &profiles, dir.filePath(QStringLiteral("sandbox/sandbox.sqlite")))
    {}

    // Activates the profile and waits until its key's permissions are known.
    bool activate(const QString &name)
    {
        session.activate(name);
        return QTest::qWaitFor(
            [this] { return session.state() == ConsoleSession::State::Ready && session.permissionsKnown(); },
            10000);
    }

    // Sends through the session (as a page would) and waits for the answer.
    ApiResult send(const ApiRequest &request)
    {
        ApiReply *reply = session.send(request);
        if (!reply)
            return ApiResult();
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000)) {
            qWarning("PageTestSession: no answer within 10 s");
            return ApiResult();
        }
        const ApiResult result = reply->result();
        reply->deleteLater();
        return result;
    }

    bool writeSecret(const QString &name, const QByteArray &secret)
    {
        bool done = false;
        bool ok = false;
        secrets.write(name, secret, [&done, &ok](const SecretStore::Result &result) {
            ok = result.ok();
            done = true;
        });
        return QTest::qWaitFor([&done] { return done; }, 5000) && ok;
    }

    // A second profile, served by another in-process sandbox that knows only `key`, with just
    // `permissions` (and the faults given); the key goes into the keychain under the profile's
    // entry, as the console's profile dialog puts it.
    bool addProfile(const QString &name, const QString &key, const QStringList &permissions,
                    const SandboxConfig::Faults &faults = {})
    {
        SandboxConfig config = SandboxConfig::defaults();
        config.keys.insert(key, SandboxConfig::Key{permissions, true});
        config.faults = faults;
        otherServer = std::make_unique<SandboxServer>(config);
        QString error;
        if (!otherServer->openData(dir.filePath(QStringLiteral("other.sqlite")), &error) ||
            !otherServer->start())
            return false;
        Profile profile;
        profile.name = name;
        profile.baseUrl = otherServer->baseUrl();
        profile.environment = Profile::Environment::Staging;
        return profiles.save(profile, &error) && writeSecret(profile.apiKeySecretName(), key.toUtf8());
    }

    QTemporaryDir dir;
    MemorySecretStore secrets;
    ProfileStore profiles;
    ConsoleSession session;
    std::unique_ptr<SandboxServer> otherServer;
};
