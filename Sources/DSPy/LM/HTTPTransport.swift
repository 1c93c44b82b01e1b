import Foundation
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP reply from a provider.
struct HTTPReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// JSON-over-HTTP with timeouts and cancellation, on one shared async-http-client.
enum HTTPTransport {
    /// One client for the process: a large per-host pool so wide parallel batches are not
    /// throttled at 8 connections. It lives for the process, so it is never shut down.
    static let client: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        config.timeout = .init(connect: .seconds(10))
        // Report a refused connection at once instead of retrying until the deadline.
        config.connectionPool.retryConnectionEstablishment = false
        config.httpVersion = .automatic
        config.decompression = .enabled(limit: .ratio(50))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    /// Connections (so requests in flight) per server. HTTP LMs queue further calls themselves
    /// (see ``LM``'s gate), where a waiting call holds far less memory than in the client's queue.
    static let maxConnectionsPerHost = 1024

    static let maxBodyBytes = 64 << 20

    /// A POST of `body` as JSON with the provider's `headers`.
    private static func jsonPOST(url: String, headers: [(String, String)], body: Value, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "DSPy-Swift/\(DSPyVersion.string)")
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(string: JSON.compact(body)))
        return request
    }

    /// POSTs `body` as JSON and returns the reply, mapping transport failures to ``LMError``.
    static func postJSON(url: String, headers: [(String, String)], body: Value, timeout: Duration, model: String) async throws -> HTTPReply {
        let request = jsonPOST(url: url, headers: headers, body: body, accept: "application/json")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            return HTTPReply(status: Int(response.status.code),
                             headers: response.headers.map { ($0.name, $0.value) },
                             body: Array(buffer.readableBytesView))
        } catch {
            throw mapTransportError(error, url: url, timeout: timeout, model: model)
        }
    }

    /// POSTs `body` as JSON asking for server-sent events and hands each event to `onEvent`,
    /// in order, until the body ends or `onEvent` returns false. `timeout` bounds the whole
    /// exchange, as for ``postJSON(url:headers:body:timeout:model:)``; cancelling the caller
    /// closes the connection. A non-2xx status is read in full and turned into an error by
    /// `errorFor` (the same mapping the non-streaming path uses).
    static func postEventStream(url: String, headers: [(String, String)], body: Value, timeout: Duration, model: String,
                                errorFor: @escaping @Sendable (HTTPReply) -> LMError,
                                onEvent: @escaping @Sendable (ServerSentEvent) throws -> Bool) async throws {
        let request = jsonPOST(url: url, headers: headers, body: body, accept: "text/event-stream")
        let deadline = ContinuousClock.now + timeout
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
                    let status = Int(response.status.code)
                    guard (200..<300).contains(status) else {
                        let buffer = try await response.body.collect(upTo: maxBodyBytes)
                        throw errorFor(HTTPReply(status: status, headers: response.headers.map { ($0.name, $0.value) },
                                                 body: Array(buffer.readableBytesView)))
                    }
                    var parser = ServerSentEventParser()
                    var received = 0
                    var stopped = false
                    for try await buffer in response.body {
                        // After the last event the rest is drained, so the connection can be reused.
                        if stopped { continue }
                        received += buffer.readableBytes
                        if received > maxBodyBytes {
                            throw LMError(.badResponse, "The event stream from \(hostPort(url)) exceeded \(maxBodyBytes >> 20) MB.", model: model)
                        }
                        for event in parser.feed(buffer.readableBytesView) where !stopped {
                            stopped = try !onEvent(event)
                        }
                    }
                    _ = parser.finish()
                }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    throw StreamDeadline()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is StreamDeadline {
            throw LMError(.timeout, "No complete response from \(hostPort(url)) within \(seconds(timeout)).", model: model,
                          hint: "Raise the LM's timeout, or check that the server at \(hostPort(url)) is up and not overloaded.")
        } catch {
            throw mapTransportError(error, url: url, timeout: timeout, model: model)
        }
    }

    /// Thrown by the timer of ``postEventStream(url:headers:body:timeout:model:errorFor:onEvent:)``.
    private struct StreamDeadline: Error {}

    /// Turns client and socket errors into ``LMError`` (or `CancellationError` when the caller
    /// was cancelled).
    static func mapTransportError(_ error: any Error, url: String, timeout: Duration, model: String) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let e = error as? LMError { return e }
        let address = hostPort(url)
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return LMError(.timeout, "No response from \(address) within \(seconds(timeout)).", model: model,
                               hint: "Raise the LM's timeout, or check that the server at \(address) is up and not overloaded.")
            case .cancelled:
                return CancellationError()
            case .remoteConnectionClosed:
                return LMError(.transport, "The connection to \(address) was closed before a complete response arrived.", model: model,
                               hint: "The server dropped the request; it is retried automatically. If it persists, check the server's logs.")
            case .bodyLengthMismatch:
                return LMError(.badResponse, "The response from \(address) was truncated or too large (\(e)).", model: model)
            default: break
            }
        }
        let text = String(describing: error)
        if text.contains("ECONNREFUSED") || text.lowercased().contains("connection refused") || text.contains("errno: 111") {
            return LMError(.connectionRefused, "Could not connect to \(address): connection refused.", model: model,
                           hint: "Nothing is listening there. Start the server (for a local model, Scripts/lm-server), or set apiBase to the right address.")
        }
        if text.contains("deadlineExceeded") || text.lowercased().contains("timed out") || text.contains("connectTimeout") {
            return LMError(.timeout, "No response from \(address) within \(seconds(timeout)).", model: model,
                           hint: "Raise the LM's timeout, or check that the server at \(address) is up.")
        }
        if text.contains("ECONNRESET") || text.contains("EPIPE") || text.contains("remoteConnectionClosed") || text.contains("ioOnClosedChannel") {
            return LMError(.transport, "The connection to \(address) was reset.", model: model,
                           hint: "The server dropped the request; it is retried automatically.")
        }
        return LMError(.transport, "Request to \(address) failed: \(text)", model: model,
                       hint: "Check the address (apiBase) and your network.")
    }

    static func hostPort(_ url: String) -> String {
        var s = Substring(url)
        // Plain stdlib scanning: Foundation's range(of:) showed up in per-call profiles.
        if let colon = s.firstIndex(of: ":"), s[colon...].hasPrefix("://") { s = s[s.index(colon, offsetBy: 3)...] }
        if let slash = s.firstIndex(of: "/") { s = s[..<slash] }
        return String(s)
    }

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    /// `Retry-After` as seconds: either a number or an HTTP date.
    static func parseRetryAfter(_ value: String?) -> Double? {
        guard let v = value?.trimmingWhitespace(), !v.isEmpty else { return nil }
        if let s = Double(v) { return max(0, s) }
        return nil
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
    var timeInterval: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Maps a provider's HTTP error status to an ``LMError`` with advice.
func lmErrorForStatus(_ reply: HTTPReply, provider: String, model: String, url: String, serverMessage: String?) -> LMError {
    let address = HTTPTransport.hostPort(url)
    let detail = serverMessage.map { ": \($0)" } ?? ""
    let requestID = reply.header("x-request-id") ?? reply.header("request-id")
    let retryAfter = HTTPTransport.parseRetryAfter(reply.header("retry-after"))
    let lower = (serverMessage ?? "").lowercased()
    var e: LMError
    switch reply.status {
    case 401, 403:
        let env = provider == "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"
        e = LMError(.authentication, "Authentication failed (HTTP \(reply.status))\(detail).",
                    hint: "Check the API key: set \(env) or pass apiKey: to LM(...).")
    case 402:
        e = LMError(.billing, "The provider refused the call for billing reasons (HTTP 402)\(detail).", hint: "Check the account's credits or plan.")
    case 404:
        e = LMError(.notFound, "Model or endpoint not found at \(address) (HTTP 404)\(detail).",
                    hint: "Check the model name and apiBase (an OpenAI-compatible base usually ends in /v1).")
    case 408:
        e = LMError(.timeout, "The server timed out the request (HTTP 408)\(detail).")
    case 429:
        e = LMError(.rateLimit, "Rate limited by \(address) (HTTP 429)\(detail).",
                    hint: "Slow down: lower num_threads, or raise the LM's numRetries so backoff can absorb bursts.")
    case 400..<500 where lower.contains("context length") || lower.contains("context window") || lower.contains("maximum context") || lower.contains("too many tokens") || lower.contains("prompt is too long"):
        e = LMError(.contextWindowExceeded, "The prompt exceeds the model's context window (HTTP \(reply.status))\(detail).",
                    hint: "Shorten the inputs or demos, or use a model with a larger context window.")
    case 400..<500:
        e = LMError(.invalidRequest, "The request was rejected (HTTP \(reply.status))\(detail).",
                    hint: "Check the LM's parameters; the server's message above says which one it did not accept.")
    case 500..<600:
        e = LMError(.server, "Server error from \(address) (HTTP \(reply.status))\(detail).",
                    hint: "The provider failed; it is retried automatically. If it persists, check the provider's status.")
    default:
        e = LMError(.badResponse, "Unexpected HTTP \(reply.status) from \(address)\(detail).")
    }
    e.model = model
    e.status = reply.status
    e.requestID = requestID
    e.retryAfter = retryAfter
    return e
}

/// The error message inside a provider's JSON error body, if there is one, with the API key
/// blanked out should the server echo it.
func serverErrorMessage(_ body: [UInt8], redacting secret: String? = nil) -> String? {
    var message: String?
    if let v = try? JSON.parse(bytes: body) {
        message = v["error"]["message"].stringValue ?? v["error"].stringValue ?? v["message"].stringValue
    } else {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingWhitespace()
        message = text.isEmpty ? nil : text
    }
    if let secret, secret.count >= 4, let m = message { message = m.replacingOccurrences(of: secret, with: "<redacted>") }
    return message
}
