import NIOCore

/// Reads HTTP/1.1 responses from the bytes of a client connection, as they arrive in pieces of
/// any size: the head (status line and headers), then the body framed by `Content-Length`,
/// `Transfer-Encoding: chunked`, or the connection's close. Interim (1xx) responses are skipped.
///
/// ``HTTP1Pool``'s connections use it in place of NIO's HTTP/1 codec, whose handlers (and the
/// wrapping of each part in `NIOAny`) cost several microseconds a request. It is strict where
/// leniency could let a reply be misread: line endings are CRLF, header names are tokens, folded
/// headers, control characters in values and conflicting lengths are refused.
struct HTTP1ResponseParser {
    /// What the bytes said, in order: a head, its body in pieces, the end.
    enum Event {
        /// `bodyLength`: the body's length when the head announces it (`Content-Length`).
        case head(status: Int, headers: [(String, String)], keepAlive: Bool, bodyLength: Int?)
        case body(ByteBuffer)
        /// The reply is complete; `bytesFollow` when more bytes came after it.
        case end(bytesFollow: Bool)
    }

    /// A reply that is not HTTP/1.1 as this client reads it.
    enum Failure: Error, Equatable {
        case malformed
        /// The head (or a chunked body's trailers) passed ``maxHeadBytes``.
        case headTooLarge
    }

    /// The largest head read (as NIO's decoder allows by default).
    static let maxHeadBytes = 80 * 1024
    /// The longest chunk-size line (the size and any extensions).
    private static let maxChunkLineBytes = 4 * 1024

    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private var state = State.head
    /// Bytes received but not yet consumed (a head or a line still incomplete).
    private var input = ByteBuffer()
    /// How many of `input`'s bytes an unfinished search for a head's or a line's end has already
    /// looked at, so that a head arriving in many small reads is not scanned again from its start.
    private var scanned = 0
    /// True when the response now read has no body (its request was a `HEAD`).
    var expectsNoBody = false

    /// True while the body runs until the connection closes: the close ends the reply.
    var endsAtClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// Takes `bytes` and reports each complete event to `emit`, which returns false to stop
    /// reading (the exchange ended). Throws ``Failure`` for a reply it cannot read.
    mutating func feed(_ bytes: inout ByteBuffer, _ emit: (Event) throws -> Bool) throws {
        if input.readableBytes == 0 {
            swap(&input, &bytes)
        } else {
            input.writeBuffer(&bytes)
        }
        while input.readableBytes > 0 {
            switch state {
            case .head:
                guard let end = Self.find(crlfcrlf: input, from: max(0, scanned - 3)) else {
                    scanned = input.readableBytes
                    if input.readableBytes > Self.maxHeadBytes { throw Failure.headTooLarge }
                    return
                }
                scanned = 0
                guard end + 4 <= Self.maxHeadBytes else { throw Failure.headTooLarge }
                guard let head = input.readSlice(length: end + 4) else { return }
                let parsed = try Self.parseHead(head)
                if (100..<200).contains(parsed.status) {
                    guard parsed.status != 101 else { throw Failure.malformed }
                    continue  // an interim response: the real one follows
                }
                state = try framing(of: parsed)
                var bodyLength: Int?
                if case .fixed(let length) = state { bodyLength = length }
                let event = Event.head(
                    status: parsed.status, headers: parsed.headers, keepAlive: parsed.keepAlive && !endsAtClose, bodyLength: bodyLength)
                guard try emit(event) else { return }
                if case .fixed(0) = state {
                    state = .head
                    guard try emit(.end(bytesFollow: input.readableBytes > 0)) else { return }
                }
            case .fixed(let remaining):
                let n = min(remaining, input.readableBytes)
                guard let part = input.readSlice(length: n) else { return }
                state = n == remaining ? .head : .fixed(remaining: remaining - n)
                guard try emit(.body(part)) else { return }
                if case .head = state { guard try emit(.end(bytesFollow: input.readableBytes > 0)) else { return } }
            case .untilClose:
                let part = input
                input.moveReaderIndex(forwardBy: input.readableBytes)
                guard try emit(.body(part)) else { return }
            case .chunkSize:
                guard let line = try readLine(limit: Self.maxChunkLineBytes) else { return }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let n = min(remaining, input.readableBytes)
                guard let part = input.readSlice(length: n) else { return }
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
                guard try emit(.body(part)) else { return }
            case .chunkDataEnd:
                guard input.readableBytes >= 2 else { return }
                guard input.readInteger(as: UInt16.self) == 0x0D0A else { throw Failure.malformed }
                state = .chunkSize
            case .trailers:
                guard let line = try readLine(limit: Self.maxHeadBytes) else { return }
                guard line.readableBytes == 0 else {
                    // Trailer fields are not used, but must be fields.
                    _ = try line.withUnsafeReadableBytes { raw in
                        let bytes = raw.bindMemory(to: UInt8.self)
                        return try Self.field(bytes, 0..<bytes.count)
                    }
                    continue
                }
                state = .head
                guard try emit(.end(bytesFollow: input.readableBytes > 0)) else { return }
            }
        }
        // Holding no reference to a consumed read buffer lets NIO reuse it for the next read.
        if input.readableBytes == 0 {
            input = Self.noBytes
            scanned = 0
        }
    }

    private static let noBytes = ByteBuffer()

    /// The connection closed: true when that ended the reply being read (a body that runs until
    /// the close), false when the reply was cut short.
    mutating func closed() -> Bool {
        guard endsAtClose else { return false }
        state = .head
        return true
    }

    // MARK: The head

    private struct Head {
        var status: Int
        var headers: [(String, String)]
        var keepAlive: Bool
        var contentLength: Int?
        var chunked: Bool
        var transferEncoded: Bool
    }

    /// How the body after `head` is framed (RFC 9112 §6.3).
    private func framing(of head: Head) throws -> State {
        if expectsNoBody || head.status == 204 || head.status == 304 { return .fixed(remaining: 0) }
        if head.transferEncoded { return head.chunked ? .chunkSize : .untilClose }
        if let length = head.contentLength { return .fixed(remaining: length) }
        return .untilClose
    }

    private static func parseHead(_ head: ByteBuffer) throws -> Head {
        try head.withUnsafeReadableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines = LineCursor(bytes: bytes, end: bytes.count - 2)  // the head ends with an empty line
            guard let statusLine = lines.next() else { throw Failure.malformed }
            let (minorVersion, status) = try parseStatusLine(bytes, statusLine)
            var result = Head(status: status, headers: [], keepAlive: minorVersion == 1, contentLength: nil, chunked: false, transferEncoded: false)
            result.headers.reserveCapacity(16)  // one allocation for the headers of most replies
            var connectionClose = false
            var connectionKeepAlive = false
            while let line = lines.next() {
                let (nameBytes, valueBytes) = try field(bytes, line)
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameBytes]), as: UTF8.self)
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueBytes]), as: UTF8.self)
                // Only names of these lengths can be one the framing depends on.
                let lengthOfName = nameBytes.count
                switch lengthOfName == 14 || lengthOfName == 17 || lengthOfName == 10 ? name.lowercased() : "" {
                case "content-length":
                    // A tab after the digits is refused, as NIO's decoder (llhttp) refuses it.
                    guard let length = contentLength(value), result.contentLength == nil || result.contentLength == length,
                        !(valueBytes.upperBound..<line.upperBound).contains(where: { bytes[$0] == 0x09 })
                    else { throw Failure.malformed }
                    result.contentLength = length
                case "transfer-encoding":
                    result.transferEncoded = true
                    let codings = tokens(value)
                    result.chunked = codings.last == "chunked"
                case "connection":
                    for token in tokens(value) {
                        if token == "close" { connectionClose = true }
                        if token == "keep-alive" { connectionKeepAlive = true }
                    }
                default: break
                }
                result.headers.append((name, value))
            }
            if connectionClose { result.keepAlive = false } else if connectionKeepAlive { result.keepAlive = true }
            return result
        }
    }

    /// A header (or trailer) line's name and value, the value without the spaces and tabs
    /// around it. Folded lines, names that are not tokens and control characters are refused.
    private static func field(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws -> (name: Range<Int>, value: Range<Int>) {
        guard line.count > 0 else { throw Failure.malformed }
        let first = bytes[line.lowerBound]
        guard first != 0x20 && first != 0x09 else { throw Failure.malformed }  // obsolete line folding
        guard let colon = line.firstIndex(where: { bytes[$0] == UInt8(ascii: ":") }), colon > line.lowerBound,
            (line.lowerBound..<colon).allSatisfy({ HTTP1Syntax.isToken(bytes[$0]) })
        else { throw Failure.malformed }
        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
        while valueEnd > valueStart && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
        for i in valueStart..<valueEnd where (bytes[i] < 0x20 && bytes[i] != 0x09) || bytes[i] == 0x7F { throw Failure.malformed }
        return (line.lowerBound..<colon, valueStart..<valueEnd)
    }

    /// `HTTP/1.x SSS[ reason]`: the minor version and the status code.
    private static func parseStatusLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws -> (Int, Int) {
        guard line.count >= 12, bytes[line.lowerBound..<line.lowerBound + 7].elementsEqual("HTTP/1.".utf8) else { throw Failure.malformed }
        let minor = bytes[line.lowerBound + 7]
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1"), bytes[line.lowerBound + 8] == 0x20 else { throw Failure.malformed }
        var status = 0
        for i in line.lowerBound + 9..<line.lowerBound + 12 {
            let digit = bytes[i]
            guard digit >= 0x30 && digit <= 0x39 else { throw Failure.malformed }
            status = status * 10 + Int(digit - 0x30)
        }
        guard status >= 100 else { throw Failure.malformed }
        if line.count > 12 {
            guard bytes[line.lowerBound + 12] == 0x20 else { throw Failure.malformed }
            for i in line.lowerBound + 13..<line.upperBound where (bytes[i] < 0x20 && bytes[i] != 0x09) || bytes[i] == 0x7F {
                throw Failure.malformed
            }
        }
        return (Int(minor - 0x30), status)
    }

    /// A `Content-Length` value: decimal digits that fit an `Int`.
    private static func contentLength(_ value: String) -> Int? {
        guard !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(value)
    }

    /// A comma-separated list of tokens, trimmed and lowercased.
    private static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
    }

    // MARK: Chunks

    /// The next line (without its CRLF), or nil until it is complete; longer than `limit` is malformed.
    private mutating func readLine(limit: Int) throws -> ByteBuffer? {
        let from = max(0, scanned - 1)
        let found = input.withUnsafeReadableBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = from
            while i + 1 < bytes.count {
                if bytes[i] == 0x0D && bytes[i + 1] == 0x0A { return i }
                i += 1
            }
            return nil
        }
        guard let end = found else {
            scanned = input.readableBytes
            if input.readableBytes > limit { throw Failure.malformed }
            return nil
        }
        scanned = 0
        guard end <= limit, let line = input.readSlice(length: end) else { throw Failure.malformed }
        input.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// A chunk-size line: hexadecimal digits, then any `;extensions` (no space before them).
    private static func chunkSize(_ line: ByteBuffer) throws -> Int {
        var size = 0
        var digits = 0
        for byte in line.readableBytesView {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"):
                guard digits > 0 else { throw Failure.malformed }
                return size
            default: throw Failure.malformed
            }
            digits += 1
            guard digits <= 15 else { throw Failure.malformed }  // 15 hex digits fit an Int
            size = size * 16 + value
        }
        guard digits > 0 else { throw Failure.malformed }
        return size
    }

    // MARK: Scanning

    /// The offset of the first `\r\n\r\n` at or after `from`, if any.
    private static func find(crlfcrlf buffer: ByteBuffer, from: Int) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = from
            while i + 3 < bytes.count {
                if bytes[i + 3] != 0x0A {
                    i += bytes[i + 3] == 0x0D ? 1 : 4
                    continue
                }
                if bytes[i] == 0x0D && bytes[i + 1] == 0x0A && bytes[i + 2] == 0x0D { return i }
                i += 1
            }
            return nil
        }
    }

    /// The CRLF-separated lines of a head, up to `end`.
    private struct LineCursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let end: Int
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, end: Int) {
            self.bytes = bytes
            self.end = end
        }

        /// The next line's byte range. A bare CR or LF stays inside its line, where the caller
        /// refuses it as a control character.
        mutating func next() -> Range<Int>? {
            guard position < end else { return nil }
            var i = position
            while i + 1 < end + 2 {
                if bytes[i] == 0x0D && bytes[i + 1] == 0x0A { break }
                i += 1
            }
            let line = position..<i
            position = i + 2
            return line
        }
    }
}
