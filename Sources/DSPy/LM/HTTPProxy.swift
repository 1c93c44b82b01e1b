import Foundation

/// Which proxy a request goes through, read from the environment as curl and Python's
/// `requests` read it: `https_proxy`/`HTTPS_PROXY` for https, `http_proxy`/`HTTP_PROXY` for
/// http, `all_proxy`/`ALL_PROXY` for either; `no_proxy`/`NO_PROXY` lists hosts and domains that
/// go direct (`*` for all). Loopback addresses always go direct, so a local model server is
/// reached even behind a company proxy.
struct ProxyRules: Sendable, Equatable {
    /// A proxy server (its URL's host and port; user and password for Basic authentication).
    struct Proxy: Hashable, Sendable {
        var host: String
        var port: Int
        var username: String?
        var password: String?
        /// A SOCKS proxy (`socks5://`), else an HTTP proxy (CONNECT for https).
        var socks = false
    }

    var https: Proxy?
    var http: Proxy?
    /// Lowercased host names and domain suffixes without a leading dot; `*` matches every host.
    var bypass: [String]

    /// The process's rules, read once (as most HTTP clients read them when they are created).
    static let environment = ProxyRules(environment: ProcessInfo.processInfo.environment)

    init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            for key in [name.lowercased(), name.uppercased()] {
                if let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return v }
            }
            return nil
        }
        let all = value("all_proxy").flatMap(Self.parse)
        https = value("https_proxy").flatMap(Self.parse) ?? all
        http = value("http_proxy").flatMap(Self.parse) ?? all
        bypass = (value("no_proxy") ?? "").split(separator: ",").map {
            var entry = $0.trimmingCharacters(in: .whitespaces).lowercased()
            while entry.hasPrefix(".") || entry.hasPrefix("*.") { entry.removeFirst(entry.hasPrefix(".") ? 1 : 2) }
            if let colon = entry.lastIndex(of: ":"), !entry.hasPrefix("["), entry.filter({ $0 == ":" }).count == 1 {
                entry = String(entry[..<colon])  // a port in an entry is ignored, as curl does
            }
            return entry
        }.filter { !$0.isEmpty }
    }

    /// The proxy for a request to `host` over http or https, or nil to go direct.
    func proxy(secure: Bool, host: String) -> Proxy? {
        guard let proxy = secure ? https : http else { return nil }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if Self.isLoopback(name) { return nil }
        for entry in bypass {
            if entry == "*" || name == entry || name.hasSuffix("." + entry) { return nil }
        }
        return proxy
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127.")
    }

    /// `http://user:pass@host:port`, `host:port` or `host` (port 80 for http, 443 for https,
    /// 1080 otherwise); nil for what has no host.
    static func parse(_ text: String) -> Proxy? {
        var rest = Substring(text)
        var defaultPort = 80
        var socks = false
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            socks = name.hasPrefix("socks")
            defaultPort = name == "https" ? 443 : socks ? 1080 : 80
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = parts.first.map { String($0).removingPercentEncoding ?? String($0) }
            password = parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? String(parts[1]) : nil
        }
        var host = rest
        var port = defaultPort
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.first == ":" { guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }; port = p }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        return Proxy(host: String(host), port: port, username: username, password: password, socks: socks)
    }
}
