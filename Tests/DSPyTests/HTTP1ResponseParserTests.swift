// The keep-alive pool's HTTP/1.1 reply parser: replies of every framing cut into pieces of any
// size, what it refuses, and a differential fuzz against NIO's decoder (llhttp), which the pool
// used before: whatever the parser reads, NIO reads the same way.

import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import DSPy

@Suite struct HTTP1ResponseParserTests {
    /// What a reply reads as.
    struct Reading: Equatable, CustomStringConvertible {
        var status: Int
        var headers: [String]
        var body: [UInt8]
        var keepAlive: Bool
        var description: String { "\(status) \(headers) \(String(decoding: body, as: UTF8.self).prefix(80)) keepAlive=\(keepAlive)" }
    }

    /// `wire` fed to the parser in `pieces`, then the connection closed when `close`: the
    /// replies read, or the error.
    static func parse(_ wire: [UInt8], pieces: [Int], close: Bool = true, expectsNoBody: Bool = false) -> Result<
        [Reading], HTTP1ResponseParser.Failure
    > {
        var parser = HTTP1ResponseParser()
        parser.expectsNoBody = expectsNoBody
        var readings: [Reading] = []
        var current: Reading?
        var offset = 0
        var cuts = pieces.filter { $0 > 0 }
        func handle(_ event: HTTP1ResponseParser.Event) -> Bool {
            switch event {
            case .head(let status, let headers, let keepAlive, _):
                current = Reading(status: status, headers: headers.map { "\($0.0): \($0.1)" }, body: [], keepAlive: keepAlive)
            case .body(let part): current?.body += Array(part.readableBytesView)
            case .end:
                if let done = current { readings.append(done) }
                current = nil
            }
            return true
        }
        do {
            while offset < wire.count {
                let n = min(cuts.isEmpty ? wire.count : cuts.removeFirst(), wire.count - offset)
                var piece = ByteBuffer(bytes: wire[offset..<offset + n])
                offset += n
                try parser.feed(&piece, handle)
            }
        } catch let failure as HTTP1ResponseParser.Failure {
            return .failure(failure)
        } catch {
            return .failure(.malformed)
        }
        if close, parser.closed(), let done = current { readings.append(done) }
        return .success(readings)
    }

    /// NIO's reading of `wire` as the replies to `requests` GETs (closing the input at the end):
    /// the replies it completed before the end or an error.
    static func nioParse(_ wire: [UInt8], requests: Int) -> [Reading]? {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        guard (try? channel.pipeline.syncOperations.addHTTPClientHandlers()) != nil else { return nil }
        for _ in 0..<requests {
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
            guard (try? channel.writeOutbound(HTTPClientRequestPart.head(head))) != nil,
                (try? channel.writeOutbound(HTTPClientRequestPart.end(nil))) != nil
            else { return nil }
        }
        var readings: [Reading] = []
        var current: Reading?
        func drain() throws {
            while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
                switch part {
                case .head(let head):
                    // llhttp keeps a value's trailing spaces; RFC 9110 §5.5 (and the parser) drops them.
                    current = Reading(
                        status: Int(head.status.code), headers: head.headers.map { "\($0.name): \($0.value.trimmingWhitespace())" }, body: [],
                        keepAlive: head.isKeepAlive)
                case .body(let part): current?.body += Array(part.readableBytesView)
                case .end:
                    if let done = current { readings.append(done) }
                    current = nil
                }
            }
        }
        do {
            try channel.writeInbound(ByteBuffer(bytes: wire))
            try drain()
            channel.pipeline.fireChannelInactive()
            try drain()
        } catch {
            try? drain()
        }
        return readings
    }

    // MARK: Framing

    @Test func readsEachFramingInPiecesOfAnySize() throws {
        let cases: [(wire: String, expected: [Reading])] = [
            (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": true}",
                [
                    Reading(
                        status: 200, headers: ["Content-Type: application/json", "Content-Length: 11"], body: Array(#"{"a": true}"#.utf8),
                        keepAlive: true)
                ]
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0006\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
                [Reading(status: 200, headers: ["Transfer-Encoding: chunked"], body: Array("hello world".utf8), keepAlive: true)]
            ),
            (
                "HTTP/1.0 200 OK\r\nServer:   spaced  \r\n\r\nuntil the close",
                [Reading(status: 200, headers: ["Server: spaced"], body: Array("until the close".utf8), keepAlive: false)]
            ),
            (
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                [Reading(status: 429, headers: ["Retry-After: 2", "Connection: close", "Content-Length: 0"], body: [], keepAlive: false)]
            ),
            (
                "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                [
                    Reading(status: 204, headers: [], body: [], keepAlive: true),
                    Reading(status: 200, headers: ["Content-Length: 2"], body: Array("ok".utf8), keepAlive: true),
                ]
            ),
            (
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
                [Reading(status: 200, headers: ["Connection: keep-alive", "Content-Length: 1"], body: Array("x".utf8), keepAlive: true)]
            ),
        ]
        for (wire, expected) in cases {
            let bytes = Array(wire.utf8)
            for size in [1, 2, 3, 7, 64, bytes.count] {
                let pieces = Array(repeating: size, count: bytes.count / size + 1)
                #expect(try Self.parse(bytes, pieces: pieces).get() == expected, "\(wire) in pieces of \(size)")
            }
            #expect(Self.nioParse(bytes, requests: expected.count) == expected, "NIO reads \(wire) otherwise")
        }
    }

    @Test func aLargeHeadInSmallPiecesIsReadWhereTheSearchLeftOff() throws {
        // Each piece continues the search for the head's end (and a chunk line's) where the last
        // one stopped, including when the terminator is split across pieces.
        let big = String(repeating: "v", count: 70_000)
        let wire = Array("HTTP/1.1 200 OK\r\nX-Big: \(big)\r\nTransfer-Encoding: chunked\r\n\r\n3;\(big.prefix(3_000))\r\nabc\r\n0\r\n\r\n".utf8)
        for size in [1, 2, 3, 5, 7] {
            let expected = [Reading(status: 200, headers: ["X-Big: \(big)", "Transfer-Encoding: chunked"], body: Array("abc".utf8), keepAlive: true)]
            #expect(try Self.parse(wire, pieces: Array(repeating: size, count: wire.count / size + 1)).get() == expected, "pieces of \(size)")
        }
    }

    @Test func aReplyToAHeadRequestHasNoBody() throws {
        let wire = Array("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n".utf8)
        #expect(try Self.parse(wire, pieces: [], expectsNoBody: true).get().map(\.body) == [[]])
    }

    @Test func aReplyCutShortIsNotComplete() throws {
        for wire in [
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "HTTP/1.1 200 OK\r\nContent-",
        ] {
            #expect(try Self.parse(Array(wire.utf8), pieces: []).get().isEmpty, "\(wire)")
        }
    }

    @Test func refusesWhatCouldBeMisread() {
        let refused: [(String, HTTP1ResponseParser.Failure)] = [
            ("HTTP/1.1 two hundred OK\r\nContent-Length: nope\r\n\r\n{}", .malformed),
            ("HTTP/2 200 OK\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nContent-Length: 2\t\r\n\r\nok", .malformed),
            ("HTTP/1.1 200 OK\r\nContent-Length: 2 \t\r\n\r\nok", .malformed),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nX-A: a\u{01}b\r\n\r\n", .malformed),
            ("HTTP/1.1 101 Switching Protocols\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n world\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n", .malformed),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", .malformed),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "1", count: 5_000), .malformed),
            ("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 90_000), .headTooLarge),
            ("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 90_000) + "\r\n\r\n", .headTooLarge),
        ]
        for (wire, failure) in refused {
            let result = Self.parse(Array(wire.utf8), pieces: [1_000])
            guard case .failure(let got) = result else {
                Issue.record("read \(wire.prefix(80)) as \(result)")
                continue
            }
            #expect(got == failure, "\(wire.prefix(80))")
        }
    }

    // MARK: Differential fuzz

    @Test func randomRepliesReadAsTheyWereWrittenAndAsNIOReadsThem() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            var wire: [UInt8] = []
            var expected: [Reading] = []
            for index in 0..<Int.random(in: 1...3, using: &rng) {
                let status = [200, 201, 400, 401, 404, 429, 500, 503].randomElement(using: &rng) ?? 200
                let body = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                var headers = ["Content-Type: application/json", "X-Request-Id: \(UInt32.random(in: 0...UInt32.max, using: &rng))"].shuffled(
                    using: &rng)
                let lastReply = index == 2
                let framing = Int.random(in: 0..<(lastReply ? 3 : 2), using: &rng)
                var encodedBody: [UInt8] = []
                switch framing {
                case 0:
                    headers.append("Content-Length: \(body.count)")
                    encodedBody = body
                case 1:
                    headers.append("Transfer-Encoding: chunked")
                    var rest = body[...]
                    while !rest.isEmpty {
                        let n = Int.random(in: 1...max(1, rest.count), using: &rng)
                        let ext = Bool.random(using: &rng) ? ";name=value" : ""
                        encodedBody +=
                            Array((String(n, radix: 16, uppercase: Bool.random(using: &rng)) + ext + "\r\n").utf8) + rest.prefix(n)
                            + Array("\r\n".utf8)
                        rest = rest.dropFirst(n)
                    }
                    encodedBody += Array((Bool.random(using: &rng) ? "0\r\nX-Checksum: 1\r\n\r\n" : "0\r\n\r\n").utf8)
                default:
                    headers.append("Connection: close")
                    encodedBody = body
                }
                wire += Array(("HTTP/1.1 \(status) Reason Phrase\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n").utf8) + encodedBody
                expected.append(Reading(status: status, headers: headers, body: body, keepAlive: framing != 2))
                if framing == 2 { break }
            }
            let pieces = (0..<20).map { _ in Int.random(in: 1...200, using: &rng) }
            #expect(try Self.parse(wire, pieces: pieces).get() == expected)
            #expect(Self.nioParse(wire, requests: expected.count) == expected)
        }
    }

    @Test func corruptedRepliesAreReadOnlyAsNIOReadsThem() {
        var rng = SystemRandomNumberGenerator()
        let seeds = [
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"choices\": [1]}\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 3\r\nContent-Length: 4\r\n\r\nbusy",
        ]
        var agreed = 0
        for _ in 0..<3_000 {
            var bytes = Array((seeds.randomElement(using: &rng) ?? seeds[0]).utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.insert([0x0D, 0x0A, 0x20, 0x3A, 0x30, 0x66, 0x00].randomElement(using: &rng) ?? 0, at: at)
                case 2: bytes.remove(at: at)
                default: bytes.removeSubrange(at...)
                }
                if bytes.isEmpty { bytes = [0x48] }
            }
            // The parser never traps; what it reads completely, NIO reads the same way.
            guard case .success(let readings) = Self.parse(bytes, pieces: [Int.random(in: 1...40, using: &rng), 1_000]), !readings.isEmpty
            else { continue }
            let nio = Self.nioParse(bytes, requests: readings.count).map { Array($0.prefix(readings.count)) }
            #expect(nio == readings, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            agreed += 1
        }
        #expect(agreed > 100)
    }
}
