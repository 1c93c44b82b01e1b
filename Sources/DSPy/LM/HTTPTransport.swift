import Foundation
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
#if canImport(Glibc)
    import Glibc
#endif

/// A raw HTTP reply from a provider.
package struct HTTPReply: Sendable {
    package var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { Self.header(name, in: headers) }

    /// The first value of the header `name` (in any case) among `headers`.
    static func header(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { HTTP1Syntax.namesMatch($0.0, name) }?.1
    }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// JSON-over-HTTP with timeouts and cancellation, on one shared async-http-client.
///
/// Timeouts cover the whole exchange. A plain request (``postJSON(url:headers:body:timeout:maxBytes:model:)``)
/// must connect, get its reply's head and read its whole body within `timeout`. A stream
/// (``postEventStream(url:headers:body:timeout:maxBytes:model:errorFor:onEvent:)``) must get its
/// head within `timeout`, and then each event within `timeout` of the one before, however long
/// the whole stream takes. async-http-client's own deadline ends with the head, so the body is
/// watched here.
package enum HTTPTransport {
    /// async-http-client's settings: a large per-host pool so wide parallel work is not
    /// throttled at 8 connections.
    private static var configuration: HTTPClient.Configuration {
        var config = HTTPClient.Configuration()
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        config.timeout = .init(connect: .seconds(10))
        // Report a refused connection at once instead of retrying until the deadline.
        config.connectionPool.retryConnectionEstablishment = false
        config.httpVersion = .automatic
        config.decompression = .enabled(limit: .ratio(decompressionRatio))
        return config
    }

    /// The async-http-client for requests that go direct. It lives for the process, so it is never shut down.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

    /// One async-http-client per proxy the environment names (``ProxyRules``), made on first use.
    private static let proxiedClients = Locked<[ProxyRules.Proxy: HTTPClient]>([:])

    /// The async-http-client for `url`: through the proxy `proxies` name for it, else direct.
    static func client(for url: String, proxies: ProxyRules = .environment) -> HTTPClient {
        guard let target = HTTP1Pool.Target.cached(url: url),
            let proxy = proxies.proxy(secure: target.endpoint.secure, host: target.endpoint.host)
        else { return client }
        return proxiedClients.withLock { clients in
            if let existing = clients[proxy] { return existing }
            var config = configuration
            let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
            config.proxy =
                proxy.socks
                ? .socksServer(host: proxy.host, port: proxy.port) : .server(host: proxy.host, port: proxy.port, authorization: authorization)
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
            clients[proxy] = made
            return made
        }
    }

    /// Connections (so requests in flight) per server. HTTP LMs queue further calls themselves
    /// (see ``LM``'s gate), where a waiting call holds far less memory than in the client's queue.
    static let maxConnectionsPerHost = 1024

    /// A compressed reply may expand at most this many times.
    static let decompressionRatio = 50

    /// How long a stream that already has its answer is read on for its last bytes (so the
    /// connection can be reused) before it is closed instead.
    static let drainGrace: Duration = .seconds(1)

    /// The library's own headers (content type, accept, user agent), then the provider's `headers`.
    @inline(never)
    package static func requestHeaders(_ headers: [(String, String)], contentType: String?, accept: String) -> [(String, String)] {
        var all: [(String, String)] = []
        all.reserveCapacity(headers.count + 3)
        if let contentType { all.append(("Content-Type", contentType)) }
        all.append(("Accept", accept))
        all.append(("User-Agent", userAgent))
        all += headers
        return all
    }

    private static let userAgent = "DSPy-Swift/\(DSPyVersion.string)"

    /// An async-http-client request with `headers` (already the full list, see ``requestHeaders(_:contentType:accept:)``).
    private static func request(_ method: HTTPMethod, url: String, headers: [(String, String)], body: ByteBuffer?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(body) }
        return request
    }

    /// POSTs `body` as JSON and returns the reply (at most `maxBytes` of body), mapping transport
    /// failures to ``LMError``. The whole exchange must end within `timeout`.
    ///
    /// It goes over the keep-alive pool (``HTTP1Pool``), unless a proxy applies (`proxies`, the
    /// environment's by default) or the address is one the pool leaves to async-http-client.
    @inline(never)
    static func postJSON(
        url: String, headers: [(String, String)], body payload: [UInt8], timeout: Duration, maxBytes: Int,
        model: String, proxies: ProxyRules = .environment
    ) async throws -> HTTPReply {
        let timeout = timeout.clampedForWaiting
        let fields = requestHeaders(headers, contentType: "application/json", accept: "application/json")
        if let target = HTTP1Pool.Target.cached(url: url), proxies.proxy(secure: target.endpoint.secure, host: target.endpoint.host) == nil {
            do {
                return try await HTTP1Pool.shared.send(target, headers: fields, body: payload, timeout: timeout, maxBytes: maxBytes)
            } catch {
                throw mapTransportError(error, url: url, timeout: timeout, model: model)
            }
        }
        return try await exchange(
            request(.POST, url: url, headers: fields, body: ByteBuffer(bytes: payload)), client: client(for: url, proxies: proxies), url: url,
            timeout: timeout, maxBytes: maxBytes, model: model)
    }

    /// Any request (a provider batch API's GET, or a file upload) with the same timeout,
    /// cancellation and error mapping as ``postJSON(url:headers:body:timeout:maxBytes:model:)``,
    /// on async-http-client. `context` names the caller in errors, as a model name does for a chat call.
    static func send(
        _ method: HTTPMethod, url: String, headers: [(String, String)], body: [UInt8]? = nil, contentType: String? = nil,
        timeout: Duration, maxBytes: Int, context: String
    ) async throws -> HTTPReply {
        try await exchange(
            request(
                method, url: url, headers: requestHeaders(headers, contentType: contentType, accept: "application/json"),
                body: body.map { ByteBuffer(bytes: $0) }), client: client(for: url), url: url, timeout: timeout, maxBytes: maxBytes,
            model: context)
    }

    @inline(never)
    private static func exchange(
        _ request: HTTPClientRequest, client: HTTPClient, url: String, timeout: Duration, maxBytes: Int, model: String
    ) async throws
        -> HTTPReply
    {
        let timeout = timeout.clampedForWaiting
        let watch = ExchangeWatch(timeout: timeout)
        do {
            return try await watch.run {
                let response = try await client.execute(request, deadline: watch.nioDeadline)
                try watch.phase(.body)
                return HTTPReply(
                    status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                    body: try await readBody(response.body, maxBytes: maxBytes, url: url, model: model))
            }
        } catch {
            throw mapTransportError(error, url: url, timeout: timeout, model: model, watch: watch)
        }
    }

    /// The whole body, or the ``tooLarge(url:limit:model:)`` error once it passes `maxBytes`.
    private static func readBody(_ body: HTTPClientResponse.Body, maxBytes: Int, url: String, model: String) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= maxBytes else { throw tooLarge(url: url, limit: maxBytes, model: model) }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// POSTs `body` as JSON asking for server-sent events and hands each event to `onEvent`,
    /// in order, until the body ends or `onEvent` returns false. The head must arrive within
    /// `timeout`, and each event within `timeout` of the previous one; cancelling the caller
    /// closes the connection. A non-2xx status is read in full and turned into an error by
    /// `errorFor` (the same mapping the non-streaming path uses). A 2xx reply labelled as
    /// something else than an event stream (JSON, HTML) is a bad response.
    static func postEventStream(
        url: String, headers: [(String, String)], body: Value, timeout: Duration, maxBytes: Int, model: String,
        errorFor: @escaping @Sendable (HTTPReply) -> LMError,
        onEvent: @escaping @Sendable (ServerSentEvent) throws -> Bool
    ) async throws {
        let streamRequest = request(
            .POST, url: url, headers: requestHeaders(headers, contentType: "application/json", accept: "text/event-stream"),
            body: ByteBuffer(bytes: JSON.compactBytes(body)))
        let timeout = timeout.clampedForWaiting
        let watch = ExchangeWatch(timeout: timeout)
        do {
            try await watch.run(drained: ()) {
                let response = try await client(for: url).execute(streamRequest, deadline: watch.nioDeadline)
                let status = Int(response.status.code)
                let replyHeaders = response.headers.map { ($0.name, $0.value) }
                guard (200..<300).contains(status) else {
                    try watch.phase(.body)
                    throw errorFor(
                        HTTPReply(
                            status: status, headers: replyHeaders,
                            body: try await readBody(response.body, maxBytes: maxBytes, url: url, model: model)))
                }
                let contentType = response.headers.first(name: "content-type") ?? ""
                guard isEventStream(contentType) else {
                    try watch.phase(.body)
                    let text = String(
                        decoding: try await readBody(response.body, maxBytes: maxBytes, url: url, model: model).prefix(200), as: UTF8.self)
                    throw LMError(
                        .badResponse,
                        "The server at \(hostPort(url)) answered a streaming request with \(contentType.isEmpty ? "no content type" : "'\(contentType)'"), not an event stream: \(text)",
                        model: model, hint: "Is apiBase pointing at an OpenAI-compatible API that supports \"stream\": true?")
                }
                try watch.phase(.events)
                var parser = ServerSentEventParser()
                var received = 0
                var stopped = false
                do {
                    for try await buffer in response.body {
                        // After the last event the rest is drained (briefly), so the connection can be reused.
                        if stopped { continue }
                        received += buffer.readableBytes
                        if received > maxBytes { throw tooLarge(url: url, limit: maxBytes, model: model) }
                        for event in parser.feed(buffer.readableBytesView) where !stopped {
                            try watch.eventArrived()
                            stopped = try !onEvent(event)
                        }
                        if stopped { try watch.phase(.draining) }
                    }
                } catch  where stopped {
                    return  // the answer is complete; how the connection ends no longer matters
                }
                // A last event whose lines ended but which lacks its blank line. If it is cut
                // short, the caller's completeness check reports the stream as incomplete.
                for event in parser.finish() where !stopped { stopped = (try? !onEvent(event)) ?? false }
            }
        } catch {
            throw mapTransportError(error, url: url, timeout: timeout, model: model, watch: watch)
        }
    }

    /// True for a content type an event stream may come with: `text/event-stream`, or none or a
    /// generic one (some small servers label it loosely); JSON, HTML and the like are not.
    static func isEventStream(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        return ["", "text/event-stream", "text/plain", "application/octet-stream"].contains(type)
    }

    /// The error for a reply body larger than `limit`.
    static func tooLarge(url: String, limit: Int, model: String) -> LMError {
        LMError(
            .badResponse, "The reply from \(hostPort(url)) was larger than \(describeBytes(limit)).", model: model,
            hint: "Ask for less (max_tokens, n), or raise the limit with LM(..., max_response_bytes=N) (maxResponseBytes: in Swift).")
    }

    /// `64 MB`, `512 KB`, `1000 bytes`.
    static func describeBytes(_ n: Int) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KB" }
        return n == 1 ? "1 byte" : "\(n) bytes"
    }

    /// Turns client and socket errors into ``LMError`` (or `CancellationError` when the caller
    /// was cancelled). No error type's internal text reaches the message.
    @inline(never)
    static func mapTransportError(_ error: any Error, url: String, timeout: Duration, model: String, watch: ExchangeWatch? = nil) -> any Error {
        // A client timeout names what the exchange was doing then (the head, the body, events).
        let timedOut = watch?.expiredNow ?? ExchangeWatch.Expired(phase: .head, events: 0)
        if let stall = error as? ExchangeWatch.Expired { return stall.error(url: url, timeout: timeout, model: model) }
        if let failure = error as? HTTP1Pool.Failure {
            switch failure {
            case .closedBeforeReply, .staleConnection: return closedEarly(hostPort(url), model: model)
            case .bodyTooLarge(let limit): return tooLarge(url: url, limit: limit, model: model)
            case .invalidHeader: return invalidRequest(hostPort(url), model: model)
            case .encodedReply(let coding):
                return LMError(
                    .badResponse, "The server at \(hostPort(url)) sent a reply compressed with \(coding), which the client did not ask for.",
                    model: model, hint: "Check the server (or a proxy in front of it): it should answer without Content-Encoding.")
            }
        }
        if let failure = error as? HTTP1ResponseParser.Failure {
            return notHTTP(hostPort(url), headTooLarge: failure == .headTooLarge, model: model)
        }
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let e = error as? LMError { return e }
        let address = hostPort(url)
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return timedOut.error(url: url, timeout: timeout, model: model)
            case .cancelled:
                return CancellationError()
            case .remoteConnectionClosed:
                return closedEarly(address, model: model)
            case .bodyLengthMismatch:
                return LMError(
                    .transport, "The reply from \(address) ended before the length its headers announced.", model: model,
                    hint: "The server cut the reply short. If it persists, check the server's logs.")
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
                return invalidRequest(address, model: model)
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            if case NIOSSLError.uncleanShutdown? = error as? NIOSSLError { return closedEarly(address, model: model) }
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") || error is NIOSSLExtraError {
                return LMError(
                    .configuration, "The secure connection to \(address) failed: its certificate is not trusted or not valid for that name.",
                    model: model,
                    hint:
                        "Check the address. A server with a private certificate authority needs it among the system's trusted roots (/etc/ssl/certs)."
                )
            }
            return LMError(
                .transport, "The secure connection (TLS) to \(address) failed during its handshake.", model: model,
                hint: "Is the server speaking https on that port? For plain HTTP, use an http:// address.")
        }
        if let e = error as? HTTPParserError, e == .invalidEOFState || e == .closedConnection {
            return closedEarly(address, model: model)
        }
        if error is ChannelError {
            return closedEarly(address, model: model)  // the connection went away under the request
        }
        if let e = error as? HTTPParserError { return notHTTP(address, headTooLarge: e == .headerOverflow, model: model) }
        if error is NIOTooManyBytesError { return tooLarge(url: url, limit: LM.defaultMaxResponseBytes, model: model) }
        let text = String(describing: error)
        if text.contains("DecompressionError") {
            return LMError(
                .badResponse, "The reply from \(address) expanded to more than \(decompressionRatio) times its compressed size.", model: model,
                hint: "The server sent a malformed or hostile compressed body; check the server.")
        }
        if text.contains("ECONNREFUSED") || text.lowercased().contains("connection refused") || text.contains("errno: 111") {
            return LMError(
                .connectionRefused, "Could not connect to \(address): connection refused.", model: model,
                hint: "Nothing is listening there. Start the server (for a local model, Scripts/lm-server), or set apiBase to the right address.")
        }
        if text.contains("deadlineExceeded") || text.lowercased().contains("timed out") || text.contains("connectTimeout") {
            return timedOut.error(url: url, timeout: timeout, model: model)
        }
        if text.contains("ECONNRESET") || text.contains("EPIPE") || text.contains("remoteConnectionClosed") || text.contains("ioOnClosedChannel") {
            return LMError(
                .transport, "The connection to \(address) was reset.", model: model,
                hint: "The server dropped the request. If it persists, check the server's logs.")
        }
        if let e = error as? NIOConnectionError, e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil {
            return LMError(
                .hostNotFound, "Could not resolve the host name \(e.host): no address for it.", model: model,
                hint: "Check the address (apiBase) for a typo, and that this machine has DNS and a network.")
        }
        return LMError(
            .transport, "Request to \(address) failed (\(type(of: error))).", model: model,
            hint: "Check the address (apiBase) and your network.")
    }

    /// A reply the HTTP/1.1 reader refused.
    private static func notHTTP(_ address: String, headTooLarge: Bool, model: String) -> LMError {
        let what = headTooLarge ? "response headers larger than the client accepts (80 KB)" : "a reply that is not valid HTTP/1.1"
        return LMError(
            .badResponse, "The server at \(address) sent \(what).", model: model,
            hint: "Is apiBase pointing at an HTTP API server? Check the address and the server's logs.")
    }

    /// A request that cannot be written: a malformed address or header.
    private static func invalidRequest(_ address: String, model: String) -> LMError {
        LMError(
            .configuration, "Cannot send a request to \(address): the address or a header is invalid.", model: model,
            hint: "Check apiBase (for example http://127.0.0.1:8000/v1) and the API key (no line breaks).")
    }

    /// The connection ended before the reply did (retried, like any transport failure).
    private static func closedEarly(_ address: String, model: String) -> LMError {
        LMError(
            .transport, "The server at \(address) closed the connection before the reply was complete.", model: model,
            hint: "If it persists, check the server's logs.")
    }

    static func hostPort(_ url: String) -> String {
        var s = Substring(url)
        // Plain stdlib scanning: Foundation's range(of:) showed up in per-call profiles.
        if let colon = s.firstIndex(of: ":"), s[colon...].hasPrefix("://") { s = s[s.index(colon, offsetBy: 3)...] }
        if let slash = s.firstIndex(of: "/") { s = s[..<slash] }
        return String(s)
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.timeInterval
        return s == s.rounded() ? "\(Int64(s)) s" : "\(s) s"
    }

    /// `Retry-After` as seconds: a number (delay-seconds; fractions and exponents are accepted,
    /// huge values are clamped to ``Duration/maximumSeconds``, negative ones to 0) or an HTTP
    /// date (seconds from now, at least 0). Anything else (`inf`, `nan`, words) is absent.
    static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let v = value?.trimmingWhitespace(), !v.isEmpty else { return nil }
        let numeric = v.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
        }
        if numeric {
            guard let s = Double(v), !s.isNaN else { return nil }
            return min(max(0, s), Duration.maximumSeconds)
        }
        guard let date = HTTPDate.parse(v) else { return nil }
        return min(max(0, date.timeIntervalSince(now)), Duration.maximumSeconds)
    }
}

/// HTTP dates (RFC 9110 §5.6.7): the IMF-fixdate form and the two obsolete ones.
enum HTTPDate {
    private static let formats = ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"]

    static func parse(_ text: String) -> Date? {
        for format in formats {
            // A formatter per call: DateFormatter is not Sendable, and a Retry-After is rare.
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = format
            if let d = f.date(from: text) { return d }
        }
        return nil
    }
}

/// Watches one exchange against its timeout: a whole-exchange deadline until the body, then
/// (for streams) a deadline that each event pushes back. It runs the exchange next to a timer
/// task; when the timer wins, the exchange is cancelled (closing its connection) and
/// ``Expired`` says which phase stalled.
final class ExchangeWatch: Sendable {
    enum Phase: Sendable, Equatable {
        /// Connecting, sending, waiting for the head.
        case head
        /// Reading a plain reply's body (same deadline as the head).
        case body
        /// Reading a stream: each event resets the deadline.
        case events
        /// The answer is complete; the rest is read briefly, then dropped.
        case draining
    }

    /// The timer fired: what was happening, and how many events had arrived.
    struct Expired: Error {
        let phase: Phase
        let events: Int

        func error(url: String, timeout: Duration, model: String) -> LMError {
            let address = HTTPTransport.hostPort(url)
            let limit = HTTPTransport.seconds(timeout)
            let hint = "Raise the LM's timeout, or check that the server at \(address) is up and not overloaded."
            switch phase {
            case .head, .draining:
                return LMError(.timeout, "Timed out: no response from \(address) within \(limit).", model: model, hint: hint)
            case .body:
                return LMError(
                    .timeout, "Timed out: the reply from \(address) did not arrive in full within \(limit) (the server sent its head, then stalled).",
                    model: model, hint: hint)
            case .events:
                return LMError(
                    .timeout,
                    "Timed out: the event stream from \(address) sent nothing for \(limit) (after \(events) event\(events == 1 ? "" : "s")).",
                    model: model, hint: hint)
            }
        }
    }

    private struct State {
        var phase: Phase = .head
        var deadline: ContinuousClock.Instant
        var events = 0
        /// Set when the timer wins: from then on the exchange makes no progress (a late head
        /// or event is not handed on), so what was delivered matches the phase reported.
        var expired: Expired?
    }

    let timeout: Duration
    private let start: ContinuousClock.Instant
    private let state: Locked<State>

    init(timeout: Duration) {
        self.timeout = timeout.clampedForWaiting
        start = .now
        state = Locked(State(deadline: start + self.timeout))
    }

    /// The head's deadline, for async-http-client.
    var nioDeadline: NIODeadline { .now() + .nanoseconds(timeout.nanoseconds) }

    /// Moves to phase `p`; throws ``Expired`` if the timer already won.
    func phase(_ p: Phase) throws {
        try state.withLock { s in
            if let expired = s.expired { throw expired }
            s.phase = p
            if p == .events { s.deadline = .now + timeout }
            if p == .draining { s.deadline = min(s.deadline, .now + HTTPTransport.drainGrace) }
        }
    }

    /// What the exchange is doing now, as the error a timeout would report.
    var expiredNow: Expired { state.withLock { Expired(phase: $0.phase, events: $0.events) } }

    /// Counts an event and pushes the deadline back; throws ``Expired`` if the timer already won.
    func eventArrived() throws {
        try state.withLock { s in
            if let expired = s.expired { throw expired }
            s.events += 1
            if s.phase == .events { s.deadline = .now + timeout }
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case done(T)
        case drained
    }

    /// Runs `body` until it finishes or the watch expires: then `body` is cancelled (closing its
    /// connection) and this throws ``Expired`` — or, in the draining phase, returns `drained`.
    func run<T: Sendable>(drained: T? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .done(try await body()) }
            group.addTask {
                while true {
                    let deadline = self.state.withLock { $0.deadline }
                    try await Task.sleep(until: deadline, clock: .continuous)
                    let expired = self.state.withLock { s -> Expired? in
                        guard ContinuousClock.now >= s.deadline else { return nil }
                        s.expired = Expired(phase: s.phase, events: s.events)
                        return s.expired
                    }
                    guard let expired else { continue }
                    if expired.phase == .draining { return .drained }
                    throw expired
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            switch first {
            case .done(let value): return value
            case .drained:
                if let drained { return drained }
                throw Expired(phase: .draining, events: 0)
            }
        }
    }
}

/// Maps a provider's HTTP error status to an ``LMError`` with advice.
@inline(never)
func lmErrorForStatus(_ reply: HTTPReply, provider: String, model: String, url: String, serverMessage: String?) -> LMError {
    let address = HTTPTransport.hostPort(url)
    let detail = serverMessage.map { ": \($0)" } ?? ""
    // The server's own message may end a sentence already ("boom."): no second period then.
    func sentence(_ text: String) -> String {
        text.last.map { ".!?".contains($0) } == true ? text : text + "."
    }
    let requestID = reply.header("x-request-id") ?? reply.header("request-id")
    let retryAfter = HTTPTransport.parseRetryAfter(reply.header("retry-after"))
    let lower = (serverMessage ?? "").lowercased()
    var e: LMError
    switch reply.status {
    case 401, 403:
        let env = LM.Provider(rawValue: provider)?.apiKeyVariable ?? "OPENAI_API_KEY"
        e = LMError(
            .authentication, sentence("Authentication failed (HTTP \(reply.status))\(detail)"),
            hint: "Check the API key: set \(env) or pass apiKey: to LM(...).")
    case 402:
        e = LMError(
            .billing, sentence("The provider refused the call for billing reasons (HTTP 402)\(detail)"), hint: "Check the account's credits or plan.")
    case 404:
        e = LMError(
            .notFound, sentence("Model or endpoint not found at \(address) (HTTP 404)\(detail)"),
            hint: "Check the model name and apiBase (an OpenAI-compatible base usually ends in /v1).")
    case 408:
        e = LMError(.timeout, sentence("The server timed out the request (HTTP 408)\(detail)"))
    case 429:
        e = LMError(
            .rateLimit, sentence("Rate limited by \(address) (HTTP 429)\(detail)"),
            hint: "Slow down: lower num_threads, or raise the LM's numRetries so backoff can absorb bursts.")
    case 400..<500
    where lower.contains("context length") || lower.contains("context window") || lower.contains("maximum context")
        || lower.contains("too many tokens") || lower.contains("prompt is too long"):
        e = LMError(
            .contextWindowExceeded, sentence("The prompt exceeds the model's context window (HTTP \(reply.status))\(detail)"),
            hint: "Shorten the inputs or demos, or use a model with a larger context window.")
    case 400..<500:
        e = LMError(
            .invalidRequest, sentence("The request was rejected (HTTP \(reply.status))\(detail)"),
            hint: "Check the LM's parameters; the server's message above says which one it did not accept.")
    case 500..<600:
        e = LMError(
            .server, sentence("Server error from \(address) (HTTP \(reply.status))\(detail)"),
            hint: "The provider failed. If it persists, check the provider's status.")
    default:
        e = LMError(.badResponse, sentence("Unexpected HTTP \(reply.status) from \(address)\(detail)"))
    }
    e.model = model
    e.status = reply.status
    e.requestID = requestID
    e.retryAfter = retryAfter
    return e
}

/// The error message inside a provider's JSON error body, if there is one (else the start of
/// the body), with credentials blanked out should the server echo them.
@inline(never)
func serverErrorMessage(_ body: [UInt8], redactor: Redactor = .none) -> String? {
    var message: String?
    if let v = try? JSON.parse(bytes: body) {
        message = v["error"]["message"].stringValue ?? v["error"].stringValue ?? v["message"].stringValue
    } else {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingWhitespace()
        message = text.isEmpty ? nil : text
    }
    return message.map { redactor.scrub($0) }
}
