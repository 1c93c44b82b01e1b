// Broken and hostile replies for ``LoopbackServer``: each builder returns a ``Reply`` that a
// handler can give for any request, so tests (and a fuzzer, through ``Hostile/catalog``) can
// aim a client at a misbehaving server on 127.0.0.1.
//
//     let server = try await LoopbackServer.start { _ in Hostile.stallAfterHead() }

import DSPy

/// Builders for replies no well-behaved server sends.
public enum Hostile {
    /// `HTTP/1.1 <status>` with these headers, `Connection: close` (a wire reply always ends
    /// its connection, so the client must not pool it) and a blank line, as raw text.
    public static func head(status: Int = 200, reason: String = "OK", headers: [(String, String)]) -> String {
        "HTTP/1.1 \(status) \(reason)\r\n" + (headers + [("Connection", "close")]).map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }

    /// The head of a JSON reply that announces `contentLength` bytes, then nothing at all (the
    /// connection stays open).
    public static func stallAfterHead(status: Int = 200, contentLength: Int = 100) -> Reply {
        .wire([.text(head(status: status, headers: [("Content-Type", "application/json"), ("Content-Length", "\(contentLength)")])), .stall])
    }

    /// A JSON reply whose head announces all of `body`, of which only the first `sent` bytes
    /// (default: half) arrive; then nothing (the connection stays open).
    public static func stallMidBody(_ body: String, sent: Int? = nil) -> Reply {
        let bytes = Array(body.utf8)
        let n = min(bytes.count, sent ?? bytes.count / 2)
        return .wire([
            .text(head(headers: [("Content-Type", "application/json"), ("Content-Length", "\(bytes.count)")])),
            .bytes(Array(bytes[..<n])), .stall,
        ])
    }

    /// A JSON reply whose head announces all of `body`, of which only the first half arrives
    /// before the server closes the connection.
    public static func halfBody(_ body: String) -> Reply {
        let bytes = Array(body.utf8)
        return .wire([
            .text(head(headers: [("Content-Type", "application/json"), ("Content-Length", "\(bytes.count)")])),
            .bytes(Array(bytes[..<(bytes.count / 2)])), .close,
        ])
    }

    /// A reply whose head carries one header line of about `bytes` bytes, then `body`.
    public static func hugeHeader(bytes: Int, body: String = "{}") -> Reply {
        .wire([
            .text("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nX-Padding: "),
            .repeated(UInt8(ascii: "a"), count: bytes),
            .text("\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body),
        ])
    }

    /// Something that is not an HTTP status line and headers.
    public static func malformedHead(_ text: String = "HTTP/1.1 two hundred OK\r\nContent-Length: nope\r\n\r\n{}") -> Reply {
        .wire([.text(text)])
    }

    /// A 429 (or `status`) with `Retry-After: value`, exactly as given (`1e300`, `inf`, a date, words).
    public static func retryAfter(_ value: String, status: Int = 429) -> Reply {
        .json(status: status, body: #"{"error": {"message": "slow down"}}"#, headers: [("Retry-After", value)])
    }

    /// `body` labelled with `contentType` (HTML for an API, JSON for a stream, ...).
    public static func wrongContentType(_ contentType: String, body: String) -> Reply {
        .raw(contentType: contentType, body: body)
    }

    /// A JSON reply of `bytes` bytes (a string of `x`s inside an object), sent in pieces as the
    /// client reads, so no side holds it in memory at once.
    public static func hugeReply(bytes: Int) -> Reply {
        let prefix = #"{"choices": [{"message": {"content": ""#, suffix = #""}}]}"#
        let filler = max(0, bytes - prefix.utf8.count - suffix.utf8.count)
        return .wire([
            .text(head(headers: [("Content-Type", "application/json"), ("Content-Length", "\(prefix.utf8.count + filler + suffix.utf8.count)")])),
            .text(prefix), .repeated(UInt8(ascii: "x"), count: filler), .text(suffix),
        ])
    }

    /// An event stream that sends `events` (each a `data:` payload) and then nothing more, with
    /// the connection left open: the gap after the last event never ends.
    public static func eventsThenStall(_ events: [String]) -> Reply {
        .stream(steps: StreamStep.events(events) + [.pause(.seconds(3600))])
    }

    /// Every mode with typical parameters, by name (for fuzzers and table-driven tests).
    public static var catalog: [(name: String, reply: Reply)] {
        let completion = #"{"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]}"#
        return [
            ("stall-after-head", stallAfterHead()),
            ("stall-mid-body", stallMidBody(completion)),
            ("half-body", halfBody(completion)),
            ("huge-header", hugeHeader(bytes: 200_000)),
            ("malformed-head", malformedHead()),
            ("retry-after-huge", retryAfter("1e300")),
            ("retry-after-inf", retryAfter("inf")),
            ("retry-after-garbage", retryAfter("soon, maybe")),
            ("html-instead-of-json", wrongContentType("text/html", body: "<html><body>502 Bad Gateway</body></html>")),
            ("empty-choices", .json(status: 200, body: #"{"choices": []}"#)),
            ("malformed-choices", .json(status: 200, body: #"{"choices": [1, "two"]}"#)),
            ("huge-reply", hugeReply(bytes: (64 << 20) + 1)),
            ("events-then-stall", eventsThenStall([#"{"choices": [{"index": 0, "delta": {"content": "hi"}}]}"#])),
        ]
    }
}
