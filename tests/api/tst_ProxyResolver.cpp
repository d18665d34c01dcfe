// How a request's route is chosen, without a network: the bypass lists (a manual proxy's and
// NO_PROXY), curl's reading of the *_PROXY variables from a given environment, the three proxy
// modes (System never proxies loopback, Manual does unless bypassed, None never proxies), the
// route's wording, and the CLI's --proxy URL. What goes over a socket is tst_ProxyRouting's.

#include "api/NetworkSettings.h"
#include "api/ProxyBypass.h"
#include "api/ProxyResolver.h"

#include <QNetworkProxy>
#include <QProcessEnvironment>
#include <QTest>

namespace {

// From "NAME=value" lines; empty: nothing of the machine's own environment leaks in.
QProcessEnvironment environmentOf(const QStringList &variables)
{
    QProcessEnvironment environment;
    for (const QString &variable : variables)
        environment.insert(variable.section(QLatin1Char('='), 0, 0), variable.section(QLatin1Char('='), 1));
    return environment;
}

// "direct", "http proxy.corp:3128 alice/pw" or "socks5 h:1080": one string per route, so a wrong
// answer shows whole in the failure message.
QString routeOf(const QNetworkProxy &proxy)
{
    QString type;
    switch (proxy.type()) {
    case QNetworkProxy::NoProxy:
        return QStringLiteral("direct");
    case QNetworkProxy::HttpProxy:
        type = QStringLiteral("http");
        break;
    case QNetworkProxy::Socks5Proxy:
        type = QStringLiteral("socks5");
        break;
    default:
        type = QStringLiteral("type %1").arg(int(proxy.type()));
        break;
    }
    QString text = QStringLiteral("%1 %2:%3").arg(type, proxy.hostName()).arg(proxy.port());
    if (!proxy.user().isEmpty() || !proxy.password().isEmpty())
        text += QStringLiteral(" %1/%2").arg(proxy.user(), proxy.password());
    return text;
}

QString routeFromEnvironment(const QProcessEnvironment &environment, const QString &url)
{
    const std::optional<QNetworkProxy> proxy = ProxyResolver::fromEnvironment(environment, QUrl(url));
    return proxy ? routeOf(*proxy) : QStringLiteral("none");
}

NetworkSettings manual(const QStringList &bypass = {})
{
    NetworkSettings settings;
    settings.proxyMode = NetworkSettings::ProxyMode::Manual;
    settings.proxyHost = QStringLiteral("proxy.corp");
    settings.proxyPort = 3128;
    settings.proxyUser = QStringLiteral("alice");
    settings.proxyPassword = QStringLiteral("pw");
    settings.proxyBypass = bypass;
    return settings;
}

} // namespace

class TestProxyResolver : public QObject
{
    Q_OBJECT

private slots:
    void bypassMatches_data();
    void bypassMatches();
    void bypassEntryValidation_data();
    void bypassEntryValidation();
    void bypassSplitsNoProxyText();

    void environment_data();
    void environment();
    void environmentNoProxy_data();
    void environmentNoProxy();

    void systemModeNeverProxiesLoopback_data();
    void systemModeNeverProxiesLoopback();
    void systemModeUsesTheVariables();
    void manualModeProxiesLoopbackUnlessBypassed();
    void manualSocks5();
    void noneIsAlwaysDirect();
    void describe();

    void parseProxyUrlAccepts_data();
    void parseProxyUrlAccepts();
    void parseProxyUrlRefuses_data();
    void parseProxyUrlRefuses();
};

void TestProxyResolver::bypassMatches_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("matches");

    // A name covers itself and its subdomains, never a name that merely ends the same.
    QTest::newRow("suffix: itself") << "example.com"
                                    << "example.com" << true;
    QTest::newRow("suffix: subdomain") << "example.com"
                                       << "api.example.com" << true;
    QTest::newRow("suffix: deeper subdomain") << "example.com"
                                              << "a.b.example.com" << true;
    QTest::newRow("suffix: not a label boundary") << "example.com"
                                                  << "badexample.com" << false;
    QTest::newRow("suffix: parent is not covered") << "api.example.com"
                                                   << "example.com" << false;
    QTest::newRow("suffix: case") << "Example.COM"
                                  << "API.example.com" << true;
    QTest::newRow("suffix: host with final dot") << "example.com"
                                                 << "api.example.com." << true;
    QTest::newRow("suffix: entry with final dot") << "example.com."
                                                  << "api.example.com" << true;
    QTest::newRow("leading dot: subdomain") << ".example.com"
                                            << "api.example.com" << true;
    QTest::newRow("leading dot: the domain itself") << ".example.com"
                                                    << "example.com" << true;
    QTest::newRow("leading dot: not a label boundary") << ".example.com"
                                                       << "badexample.com" << false;
    QTest::newRow("wildcard label") << "*.example.com"
                                    << "api.example.com" << true;
    QTest::newRow("wildcard label: other domain") << "*.example.com"
                                                  << "example.org" << false;
    QTest::newRow("exact host") << "localhost"
                                << "localhost" << true;
    QTest::newRow("exact host: other") << "localhost"
                                       << "otherhost" << false;
    QTest::newRow("single label is no suffix of another") << "corp"
                                                          << "mycorp" << false;
    QTest::newRow("single label covers subdomains") << "corp"
                                                    << "proxy.corp" << true;
    // An address matches itself only; names are never resolved to compare.
    QTest::newRow("ipv4") << "10.1.2.3"
                          << "10.1.2.3" << true;
    QTest::newRow("ipv4: neighbour") << "10.1.2.3"
                                     << "10.1.2.4" << false;
    QTest::newRow("ipv4: not a suffix") << "0.0.1"
                                        << "10.0.0.1" << false;
    QTest::newRow("ipv4: name not resolved") << "127.0.0.1"
                                             << "localhost" << false;
    QTest::newRow("ipv6") << "::1"
                          << "::1" << true;
    QTest::newRow("ipv6 in brackets") << "[::1]"
                                      << "::1" << true;
    QTest::newRow("ipv6: long form") << "fe80::1"
                                     << "fe80:0:0:0:0:0:0:1" << true;
    QTest::newRow("ipv6: other") << "::1"
                                 << "::2" << false;
    QTest::newRow("cidr v4: inside") << "10.0.0.0/8"
                                     << "10.200.3.4" << true;
    QTest::newRow("cidr v4: outside") << "10.0.0.0/8"
                                      << "11.0.0.1" << false;
    QTest::newRow("cidr v4: /32") << "192.168.1.7/32"
                                  << "192.168.1.7" << true;
    QTest::newRow("cidr v4: /32 neighbour") << "192.168.1.7/32"
                                            << "192.168.1.8" << false;
    QTest::newRow("cidr v4: a name is not in it") << "10.0.0.0/8"
                                                  << "10.example.com" << false;
    QTest::newRow("cidr v4: loopback range") << "127.0.0.0/8"
                                             << "127.5.6.7" << true;
    QTest::newRow("cidr v6: inside") << "fd00::/8"
                                     << "fd12:3456::1" << true;
    QTest::newRow("cidr v6: outside") << "fd00::/8"
                                      << "fe80::1" << false;
    QTest::newRow("cidr v6: v4 address") << "fd00::/8"
                                         << "10.0.0.1" << false;
    QTest::newRow("star") << "*"
                          << "anything.example" << true;
    QTest::newRow("star: address") << "*"
                                   << "10.0.0.1" << true;
    // NO_PROXY is often written with ports; the port never decides.
    QTest::newRow("host:port") << "example.com:8080"
                               << "api.example.com" << true;
    QTest::newRow("ipv4:port") << "10.1.2.3:3128"
                               << "10.1.2.3" << true;
    QTest::newRow("[ipv6]:port") << "[::1]:8080"
                                 << "::1" << true;
    QTest::newRow("empty entry") << ""
                                 << "example.com" << false;
    QTest::newRow("blank entry") << "   "
                                 << "example.com" << false;
}

void TestProxyResolver::bypassMatches()
{
    QFETCH(QString, entry);
    QFETCH(QString, host);
    QFETCH(bool, matches);
    QCOMPARE(ProxyBypass::matches({entry}, host), matches);
    // In a list, one entry that matches is enough, and entries that do not never spoil it.
    QCOMPARE(
        ProxyBypass::matches({QStringLiteral("unrelated.test"), entry, QStringLiteral("192.0.2.1")}, host),
        matches);
}

void TestProxyResolver::bypassEntryValidation_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<bool>("valid");

    for (const char *entry : {"example.com",
                              ".example.com",
                              "*.example.com",
                              "localhost",
                              "corp",
                              "example.com.",
                              "under_score.example",
                              "xn--bcher-kva.example",
                              "10.0.0.1",
                              "::1",
                              "[::1]",
                              "fe80::1",
                              "10.0.0.0/8",
                              "127.0.0.1/32",
                              "fd00::/8",
                              "*",
                              "example.com:8080",
                              "10.0.0.1:3128",
                              "[::1]:8080",
                              "EXAMPLE.COM"})
        QTest::newRow(entry) << QString::fromLatin1(entry) << true;
    for (const char *entry :
         {"", "   ", "exa mple.com", "-bad.example", "bad-.example", "a..b", "10.0.0.0/33", "fd00::/129",
          "example.com/24", "http://example.com", "example.com/path", "*example.com", "ex*ample.com",
          "example.com,other.com", "[::1"})
        QTest::newRow(qPrintable(QStringLiteral("refused: '%1'").arg(QString::fromLatin1(entry))))
            << QString::fromLatin1(entry) << false;
}

void TestProxyResolver::bypassEntryValidation()
{
    QFETCH(QString, entry);
    QFETCH(bool, valid);
    QCOMPARE(ProxyBypass::isValidEntry(entry), valid);

    // NetworkSettings::check refuses the manual settings that hold it, naming the entry.
    NetworkSettings settings = manual({QStringLiteral("ok.example"), entry});
    QString error;
    QCOMPARE(settings.check(&error), valid);
    if (!valid)
        QVERIFY2(error.contains(QStringLiteral("'%1' is not a proxy bypass entry").arg(entry)),
                 qPrintable(error));
}

void TestProxyResolver::bypassSplitsNoProxyText()
{
    QCOMPARE(
        ProxyBypass::split(QStringLiteral(" a.example, b.example  c.example,,\t.d.example\n10.0.0.0/8 ")),
        QStringList({QStringLiteral("a.example"), QStringLiteral("b.example"), QStringLiteral("c.example"),
                     QStringLiteral(".d.example"), QStringLiteral("10.0.0.0/8")}));
    QVERIFY(ProxyBypass::split(QStringLiteral(" , ")).isEmpty());
    QVERIFY(ProxyBypass::split(QString()).isEmpty());
}

void TestProxyResolver::environment_data()
{
    using Vars = QStringList;
    QTest::addColumn<Vars>("variables");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("route"); // "none": no variable applies

    const QString https = QStringLiteral("https://api.journy.io/validate");
    const QString http = QStringLiteral("http://api.journy.io/validate");

    QTest::newRow("nothing set") << Vars{} << https << "none";
    QTest::newRow("https_proxy") << Vars{"https_proxy=http://proxy.corp:3128"} << https
                                 << "http proxy.corp:3128";
    QTest::newRow("HTTPS_PROXY") << Vars{"HTTPS_PROXY=http://upper.corp:3128"} << https
                                 << "http upper.corp:3128";
    QTest::newRow("lower case wins") << Vars{"https_proxy=http://lower.corp:1111",
                                             "HTTPS_PROXY=http://upper.corp:2222"}
                                     << https << "http lower.corp:1111";
    QTest::newRow("blank lower case falls back to upper")
        << Vars{"https_proxy=  ", "HTTPS_PROXY=http://upper.corp:2222"} << https << "http upper.corp:2222";
    QTest::newRow("http_proxy is not for https")
        << Vars{"http_proxy=http://plain.corp:8080"} << https << "none";
    QTest::newRow("http_proxy for http")
        << Vars{"http_proxy=http://plain.corp:8080"} << http << "http plain.corp:8080";
    QTest::newRow("HTTP_PROXY for http")
        << Vars{"HTTP_PROXY=http://plain.corp:8080"} << http << "http plain.corp:8080";
    QTest::newRow("https_proxy is not for http")
        << Vars{"https_proxy=http://proxy.corp:3128"} << http << "none";
    QTest::newRow("all_proxy for https")
        << Vars{"all_proxy=http://all.corp:3128"} << https << "http all.corp:3128";
    QTest::newRow("ALL_PROXY for http")
        << Vars{"ALL_PROXY=http://all.corp:3128"} << http << "http all.corp:3128";
    QTest::newRow("the scheme's own variable before all_proxy")
        << Vars{"all_proxy=http://all.corp:1", "HTTPS_PROXY=http://own.corp:2"} << https << "http own.corp:2";
    QTest::newRow("credentials") << Vars{"https_proxy=http://alice:s3cret@proxy.corp:3128"} << https
                                 << "http proxy.corp:3128 alice/s3cret";
    QTest::newRow("credentials percent-encoded")
        << Vars{"https_proxy=http://dom%5Calice:p%40ss%3Aw%2Frd%20x@proxy.corp:3128"} << https
        << "http proxy.corp:3128 dom\\alice/p@ss:w/rd x";
    QTest::newRow("user only") << Vars{"https_proxy=http://alice@proxy.corp:3128"} << https
                               << "http proxy.corp:3128 alice/";
    QTest::newRow("socks5") << Vars{"https_proxy=socks5://10.0.0.1:1080"} << https << "socks5 10.0.0.1:1080";
    QTest::newRow("socks5h") << Vars{"all_proxy=socks5h://socks.corp:9050"} << https
                             << "socks5 socks.corp:9050";
    QTest::newRow("no scheme is http")
        << Vars{"https_proxy=proxy.corp:3128"} << https << "http proxy.corp:3128";
    QTest::newRow("no scheme, credentials")
        << Vars{"https_proxy=bob:pw@proxy.corp:3128"} << https << "http proxy.corp:3128 bob/pw";
    QTest::newRow("no port: curl's 1080")
        << Vars{"https_proxy=http://proxy.corp"} << https << "http proxy.corp:1080";
    QTest::newRow("trailing slash") << Vars{"https_proxy=http://proxy.corp:3128/"} << https
                                    << "http proxy.corp:3128";
    QTest::newRow("ipv6 proxy") << Vars{"https_proxy=http://[fd00::5]:3128"} << https << "http fd00::5:3128";
    // Qt speaks neither TLS to the proxy itself nor SOCKS4: better no proxy from the variable than
    // a wrong one.
    QTest::newRow("https:// proxy is not spoken")
        << Vars{"https_proxy=https://proxy.corp:3128"} << https << "none";
    QTest::newRow("socks4 is not spoken") << Vars{"https_proxy=socks4://proxy.corp:1080"} << https << "none";
}

void TestProxyResolver::environment()
{
    QFETCH(QStringList, variables);
    QFETCH(QString, url);
    QFETCH(QString, route);
    QCOMPARE(routeFromEnvironment(environmentOf(variables), url), route);
}

void TestProxyResolver::environmentNoProxy_data()
{
    QTest::addColumn<QString>("noProxy");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("direct");

    QTest::newRow("suffix") << "journy.io"
                            << "https://api.journy.io" << true;
    QTest::newRow("leading dot") << ".journy.io"
                                 << "https://api.journy.io" << true;
    QTest::newRow("other domain") << "journy.com"
                                  << "https://api.journy.io" << false;
    QTest::newRow("not a label boundary") << "ny.io"
                                          << "https://api.journy.io" << false;
    QTest::newRow("list with spaces and commas") << "localhost, .internal  journy.io"
                                                 << "https://api.journy.io" << true;
    QTest::newRow("ip") << "10.1.2.3"
                        << "https://10.1.2.3:8443" << true;
    QTest::newRow("ip: other") << "10.1.2.3"
                               << "https://10.1.2.4:8443" << false;
    QTest::newRow("cidr") << "10.0.0.0/8"
                          << "https://10.9.8.7" << true;
    QTest::newRow("cidr: outside") << "10.0.0.0/8"
                                   << "https://11.9.8.7" << false;
    QTest::newRow("cidr v6") << "fd00::/8"
                             << "https://[fd00::7]:8443" << true;
    QTest::newRow("star") << "*"
                          << "https://api.journy.io" << true;
    QTest::newRow("host:port") << "api.journy.io:443"
                               << "https://api.journy.io" << true;
}

void TestProxyResolver::environmentNoProxy()
{
    QFETCH(QString, noProxy);
    QFETCH(QString, url);
    QFETCH(bool, direct);
    const QString proxied = QStringLiteral("http proxy.corp:3128");
    const QString expected = direct ? QStringLiteral("direct") : proxied;
    // Either spelling of the name; the lower-case one wins over the upper-case one.
    QCOMPARE(routeFromEnvironment(
                 environmentOf({"https_proxy=http://proxy.corp:3128", QStringLiteral("NO_PROXY=") + noProxy}),
                 url),
             expected);
    QCOMPARE(routeFromEnvironment(
                 environmentOf({"https_proxy=http://proxy.corp:3128", QStringLiteral("no_proxy=") + noProxy}),
                 url),
             expected);
    QCOMPARE(routeFromEnvironment(
                 environmentOf({"https_proxy=http://proxy.corp:3128", "no_proxy=unrelated.example",
                                QStringLiteral("NO_PROXY=") + noProxy}),
                 url),
             proxied);
    // NO_PROXY alone says nothing: no variable applies, and the OS decides.
    QCOMPARE(routeFromEnvironment(environmentOf({QStringLiteral("NO_PROXY=") + noProxy}), url),
             QStringLiteral("none"));
}

void TestProxyResolver::systemModeNeverProxiesLoopback_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("127.0.0.1") << "http://127.0.0.1:8080/validate";
    QTest::newRow("127.x") << "https://127.3.2.1:8443/validate";
    QTest::newRow("::1") << "http://[::1]:8080/validate";
    QTest::newRow("localhost") << "http://localhost:8080/validate";
    QTest::newRow("LOCALHOST") << "https://LOCALHOST/validate";
    QTest::newRow("*.localhost") << "https://sandbox.localhost/validate";
}

void TestProxyResolver::systemModeNeverProxiesLoopback()
{
    QFETCH(QString, url);
    NetworkSettings system;
    system.proxyMode = NetworkSettings::ProxyMode::System;
    // Every variable points at a proxy, and none of them is used for this machine itself.
    const QProcessEnvironment environment =
        environmentOf({"http_proxy=http://proxy.corp:3128", "https_proxy=http://proxy.corp:3128",
                       "all_proxy=http://proxy.corp:3128"});
    QCOMPARE(routeOf(ProxyResolver::lookUp(system, environment, QUrl(url))), QStringLiteral("direct"));
    ProxyResolver resolver(system, environment);
    QVERIFY(!resolver.mayBlock(QUrl(url))); // no OS look-up either
    QCOMPARE(routeOf(resolver.queryProxy(QNetworkProxyQuery(QUrl(url))).value(0)), QStringLiteral("direct"));
}

void TestProxyResolver::systemModeUsesTheVariables()
{
    NetworkSettings system;
    system.proxyMode = NetworkSettings::ProxyMode::System;
    const QProcessEnvironment environment =
        environmentOf({"HTTPS_PROXY=http://carol:pw@proxy.corp:3128", "NO_PROXY=.internal"});
    const QUrl api(QStringLiteral("https://api.journy.io/validate"));
    QCOMPARE(routeOf(ProxyResolver::lookUp(system, environment, api)),
             QStringLiteral("http proxy.corp:3128 carol/pw"));
    QCOMPARE(
        routeOf(ProxyResolver::lookUp(system, environment, QUrl(QStringLiteral("https://api.internal")))),
        QStringLiteral("direct"));

    ProxyResolver resolver(system, environment);
    QVERIFY(!resolver.mayBlock(api)); // the variable answers: no OS look-up, no worker thread
    QVERIFY(resolver.mayBlock(QUrl(QStringLiteral("http://api.journy.io")))); // no http_proxy: the OS decides
    QVERIFY(!resolver.cached(api).has_value());
    QCOMPARE(routeOf(resolver.queryProxy(QNetworkProxyQuery(api)).value(0)),
             QStringLiteral("http proxy.corp:3128 carol/pw"));
    // The answer is kept per origin, and another origin is looked up on its own.
    QVERIFY(resolver.cached(QUrl(QStringLiteral("https://api.journy.io/users/upsert"))).has_value());
    QVERIFY(!resolver.cached(QUrl(QStringLiteral("https://api.journy.io:8443/validate"))).has_value());
    QVERIFY(!resolver.cached(QUrl(QStringLiteral("http://api.journy.io/validate"))).has_value());
}

void TestProxyResolver::manualModeProxiesLoopbackUnlessBypassed()
{
    const QProcessEnvironment environment = environmentOf({"https_proxy=http://env.corp:9999"});
    const QString proxied = QStringLiteral("http proxy.corp:3128 alice/pw");
    for (const char *url :
         {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://api.journy.io"}) {
        // The variables do not count in manual mode; loopback is not exempt.
        QCOMPARE(routeOf(ProxyResolver::lookUp(manual(), environment, QUrl(QString::fromLatin1(url)))),
                 proxied);
        QVERIFY(!ProxyResolver(manual(), environment).mayBlock(QUrl(QString::fromLatin1(url))));
    }
    const NetworkSettings bypassing = manual({QStringLiteral("127.0.0.1"), QStringLiteral(".internal")});
    QCOMPARE(
        routeOf(ProxyResolver::lookUp(bypassing, environment, QUrl(QStringLiteral("http://127.0.0.1:8080")))),
        QStringLiteral("direct"));
    QCOMPARE(
        routeOf(ProxyResolver::lookUp(bypassing, environment, QUrl(QStringLiteral("https://api.internal")))),
        QStringLiteral("direct"));
    // Names are not resolved to be compared with an address entry.
    QCOMPARE(
        routeOf(ProxyResolver::lookUp(bypassing, environment, QUrl(QStringLiteral("http://localhost:8080")))),
        proxied);
    QCOMPARE(
        routeOf(ProxyResolver::lookUp(bypassing, environment, QUrl(QStringLiteral("https://api.journy.io")))),
        proxied);
}

void TestProxyResolver::manualSocks5()
{
    NetworkSettings settings = manual();
    settings.proxyType = NetworkSettings::ProxyType::Socks5;
    settings.proxyHost = QStringLiteral("10.0.0.1");
    settings.proxyPort = 1080;
    settings.proxyUser.clear();
    settings.proxyPassword.clear();
    QCOMPARE(routeOf(ProxyResolver::lookUp(settings, {}, QUrl(QStringLiteral("https://api.journy.io")))),
             QStringLiteral("socks5 10.0.0.1:1080"));
}

void TestProxyResolver::noneIsAlwaysDirect()
{
    NetworkSettings none;
    none.proxyMode = NetworkSettings::ProxyMode::None;
    none.proxyHost = QStringLiteral("proxy.corp"); // left over from an earlier manual setting
    none.proxyPort = 3128;
    const QProcessEnvironment environment =
        environmentOf({"https_proxy=http://proxy.corp:3128", "all_proxy=http://proxy.corp:3128"});
    for (const char *url : {"https://api.journy.io", "http://127.0.0.1:8080"}) {
        QCOMPARE(routeOf(ProxyResolver::lookUp(none, environment, QUrl(QString::fromLatin1(url)))),
                 QStringLiteral("direct"));
        QVERIFY(!ProxyResolver(none, environment).mayBlock(QUrl(QString::fromLatin1(url))));
    }
}

void TestProxyResolver::describe()
{
    QCOMPARE(ProxyResolver::describe(QNetworkProxy(QNetworkProxy::NoProxy)), QStringLiteral("direct"));
    QCOMPARE(ProxyResolver::describe(QNetworkProxy(QNetworkProxy::DefaultProxy)), QStringLiteral("direct"));
    QCOMPARE(ProxyResolver::describe(QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("proxy.corp"),
                                                   3128, QStringLiteral("alice"), QStringLiteral("pw"))),
             QStringLiteral("via HTTP proxy proxy.corp:3128")); // never the login
    QCOMPARE(ProxyResolver::describe(
                 QNetworkProxy(QNetworkProxy::HttpCachingProxy, QStringLiteral("cache"), 8080)),
             QStringLiteral("via HTTP proxy cache:8080"));
    QCOMPARE(
        ProxyResolver::describe(QNetworkProxy(QNetworkProxy::Socks5Proxy, QStringLiteral("10.0.0.1"), 1080)),
        QStringLiteral("via SOCKS5 proxy 10.0.0.1:1080"));
}

void TestProxyResolver::parseProxyUrlAccepts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("canonical"); // proxyUrl() afterwards

    const int http = int(NetworkSettings::ProxyType::Http);
    const int socks = int(NetworkSettings::ProxyType::Socks5);
    QTest::newRow("http") << "http://proxy.corp:3128" << http << "proxy.corp" << 3128 << ""
                          << "http://proxy.corp:3128";
    QTest::newRow("user") << "http://alice@proxy.corp:3128" << http << "proxy.corp" << 3128 << "alice"
                          << "http://alice@proxy.corp:3128";
    QTest::newRow("socks5") << "socks5://10.0.0.1:1080" << socks << "10.0.0.1" << 1080 << ""
                            << "socks5://10.0.0.1:1080";
    QTest::newRow("socks5 with user")
        << "socks5://bob@socks.corp:1080" << socks << "socks.corp" << 1080 << "bob"
        << "socks5://bob@socks.corp:1080";
    QTest::newRow("trailing slash") << "http://proxy.corp:3128/" << http << "proxy.corp" << 3128 << ""
                                    << "http://proxy.corp:3128";
    QTest::newRow("spaces around") << "  http://proxy.corp:3128 \n"
                                   << http << "proxy.corp" << 3128 << ""
                                   << "http://proxy.corp:3128";
    QTest::newRow("upper-case scheme and host")
        << "HTTP://Proxy.Corp:3128" << http << "proxy.corp" << 3128 << ""
        << "http://proxy.corp:3128";
    QTest::newRow("ipv6") << "http://[fd00::5]:3128" << http << "fd00::5" << 3128 << ""
                          << "http://[fd00::5]:3128";
}

void TestProxyResolver::parseProxyUrlAccepts()
{
    QFETCH(QString, text);
    QFETCH(int, type);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, canonical);
    NetworkSettings settings; // System mode by default
    settings.proxyBypass = {QStringLiteral("kept.example")};
    QString error;
    QVERIFY2(NetworkSettings::parseProxyUrl(text, &settings, &error), qPrintable(error));
    QCOMPARE(settings.proxyMode, NetworkSettings::ProxyMode::Manual);
    QCOMPARE(int(settings.proxyType), type);
    QCOMPARE(settings.proxyHost, host);
    QCOMPARE(int(settings.proxyPort), port);
    QCOMPARE(settings.proxyUser, user);
    QVERIFY(settings.proxyPassword.isEmpty());
    QCOMPARE(settings.proxyBypass, QStringList{QStringLiteral("kept.example")});
    QCOMPARE(settings.proxyUrl(), canonical);
    QCOMPARE(settings.proxyDescription(), canonical);
    QVERIFY2(settings.check(&error), qPrintable(error));

    // What proxyUrl() writes reads back the same.
    NetworkSettings again;
    QVERIFY2(NetworkSettings::parseProxyUrl(settings.proxyUrl(), &again, &error), qPrintable(error));
    QCOMPARE(again.proxyType, settings.proxyType);
    QCOMPARE(again.proxyHost, settings.proxyHost);
    QCOMPARE(again.proxyPort, settings.proxyPort);
    QCOMPARE(again.proxyUser, settings.proxyUser);
    QCOMPARE(again.proxyUrl(), canonical);
}

void TestProxyResolver::parseProxyUrlRefuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("because"); // a piece of the error message

    QTest::newRow("password") << "http://alice:s3cret@proxy.corp:3128"
                              << "never taken on the command line";
    QTest::newRow("no port") << "http://proxy.corp"
                             << "has no port";
    QTest::newRow("port 0") << "http://proxy.corp:0"
                            << "has no port";
    QTest::newRow("path") << "http://proxy.corp:3128/proxy"
                          << "must not have a path";
    QTest::newRow("query") << "http://proxy.corp:3128?x=1"
                           << "must not have a path or a query";
    QTest::newRow("fragment") << "http://proxy.corp:3128#top"
                              << "must not have a path or a query";
    QTest::newRow("https scheme") << "https://proxy.corp:3128"
                                  << "is not a proxy URL";
    QTest::newRow("socks4") << "socks4://proxy.corp:1080"
                            << "is not a proxy URL";
    QTest::newRow("no scheme") << "proxy.corp:3128"
                               << "is not a proxy URL";
    QTest::newRow("no host") << "http://:3128"
                             << "is not a proxy URL";
    QTest::newRow("empty") << ""
                           << "is not a proxy URL";
    QTest::newRow("space in host") << "http://proxy corp:3128"
                                   << "is not a proxy URL";
}

void TestProxyResolver::parseProxyUrlRefuses()
{
    QFETCH(QString, text);
    QFETCH(QString, because);
    NetworkSettings settings;
    settings.proxyMode = NetworkSettings::ProxyMode::None;
    settings.proxyHost = QStringLiteral("untouched");
    QString error;
    QVERIFY(!NetworkSettings::parseProxyUrl(text, &settings, &error));
    QVERIFY2(error.contains(because), qPrintable(error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(!error.contains(QLatin1String("s3cret")), qPrintable(error)); // never echoes a password
    // A refused URL changes nothing.
    QCOMPARE(settings.proxyMode, NetworkSettings::ProxyMode::None);
    QCOMPARE(settings.proxyHost, QStringLiteral("untouched"));
    QCOMPARE(int(settings.proxyPort), 0);
}

QTEST_GUILESS_MAIN(TestProxyResolver)
#include "tst_ProxyResolver.moc"
