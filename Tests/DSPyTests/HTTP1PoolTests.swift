// The keep-alive HTTP/1.1 pool that carries chat calls: how addresses split, connections kept
// alive and recovered when a server drops them, the per-endpoint connection limit, TLS, and
// proxies from the environment. Timeouts, cancellation and broken replies through the same pool
// are covered by LMClientTests and HostileServerTests.

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TestSupport
import Testing

@testable import DSPy

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tls")

/// The body of a one-choice chat completion whose answer is `text`.
private func completionJSON(_ text: String) -> String {
    #"{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}]}"#
}

/// A 200 reply carrying `body` as JSON, as it goes on the wire.
private func jsonReplyText(_ body: String) -> String {
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
}

/// Listens on a free port of 127.0.0.1; `setUp` adds each accepted connection's handlers.
private func listen(_ setUp: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try setUp(channel.pipeline.syncOperations) }
        }
        .bind(host: "127.0.0.1", port: 0).get()
}

/// The `Content-Length` of a request head (its lines, without the blank line after them); 0 without one.
private func contentLength(ofHead head: String) -> Int {
    head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
}

@Suite struct HTTP1PoolTests {
    @Test(arguments: [
        ("http://127.0.0.1:8000/v1/chat/completions", false, "127.0.0.1", 8000, "/v1/chat/completions", "127.0.0.1:8000"),
        ("https://api.openai.com/v1/chat/completions", true, "api.openai.com", 443, "/v1/chat/completions", "api.openai.com"),
        ("http://localhost", false, "localhost", 80, "/", "localhost"),
        ("http://[::1]:8080/x?y=1#part", false, "::1", 8080, "/x?y=1", "[::1]:8080"),
        ("https://h:443/p", true, "h", 443, "/p", "h"),
        ("http://h?q=1", false, "h", 80, "/?q=1", "h"),
    ])
    func addressesSplitForThePool(url: String, secure: Bool, host: String, port: Int, path: String, hostHeader: String) throws {
        let target = try #require(HTTP1Pool.Target(url: url))
        #expect(target.endpoint == HTTP1Pool.Endpoint(secure: secure, host: host, port: port))
        #expect(target.path == path)
        #expect(target.hostHeader == hostHeader)
    }

    @Test(arguments: [
        "ftp://h/x", "http://user:pw@h/x", "http://h:0/x", "http://h:65536/x", "http://h:8a/x", "http:///x", "http://[::1/x",
        "http://h/a b", "http+unix://%2Ftmp%2Fs/x", "h:80/x", "",
    ])
    func addressesThePoolLeavesToAsyncHTTPClient(url: String) {
        #expect(HTTP1Pool.Target(url: url) == nil)
    }

    @Test func rememberedAddressesAreTheParsedOnes() {
        // More distinct addresses than the memo keeps, twice over: each answer is still the parse.
        let urls = (0..<150).map { "http://host\($0 % 100).example:\(8000 + $0)/v1/chat/completions?q=\($0)" } + ["ftp://x/", "http://a b/"]
        for _ in 0..<2 {
            for url in urls { #expect(HTTP1Pool.Target.cached(url: url) == HTTP1Pool.Target(url: url), "\(url)") }
        }
        #expect(HTTP1Pool.Target.cached(url: "ftp://x/") == nil)
    }

    @Test func proxiesComeFromTheEnvironmentAsCurlReadsThem() throws {
        let rules = ProxyRules(environment: [
            "https_proxy": "http://alice:p%40ss@proxy.corp:3128", "HTTPS_PROXY": "http://ignored:1",
            "HTTP_PROXY": "proxy.corp", "NO_PROXY": "internal.corp, .svc.local,example.org:8080",
        ])
        let https = try #require(rules.proxy(secure: true, host: "api.openai.com"))
        #expect(https == ProxyRules.Proxy(host: "proxy.corp", port: 3128, username: "alice", password: "p@ss"))
        #expect(rules.proxy(secure: false, host: "api.openai.com") == ProxyRules.Proxy(host: "proxy.corp", port: 80))
        // NO_PROXY: exact hosts and domain suffixes (a leading dot or none), ports ignored.
        for host in ["internal.corp", "a.internal.corp", "models.svc.local", "example.org", "EXAMPLE.ORG"] {
            #expect(rules.proxy(secure: true, host: host) == nil, "\(host) should go direct")
        }
        #expect(rules.proxy(secure: true, host: "notinternal.corp") != nil)
        // Loopback always goes direct, so a local model server is reached behind any proxy.
        for host in ["127.0.0.1", "localhost", "::1", "[::1]"] { #expect(rules.proxy(secure: false, host: host) == nil) }
        // ALL_PROXY for either scheme, socks included; "*" bypasses everything.
        let socks = ProxyRules(environment: ["ALL_PROXY": "socks5://gw:1080"])
        #expect(socks.proxy(secure: true, host: "x.com") == ProxyRules.Proxy(host: "gw", port: 1080, socks: true))
        #expect(ProxyRules(environment: ["ALL_PROXY": "gw:1", "no_proxy": "*"]).proxy(secure: true, host: "x.com") == nil)
        #expect(ProxyRules(environment: [:]).proxy(secure: true, host: "x.com") == nil)
    }

    @Test func aServerThatClosesEachConnectionAfterItsReplyCostsNoRetry() async throws {
        // Every reply is followed by a close the client is not told about (no "Connection: close"):
        // the kept-alive connection is dead when the next call takes it. No call may fail or be
        // retried by the LM (numRetries 0).
        let body = completionJSON("ok")
        let server = try await LoopbackServer.start { _ in
            .wire([
                .text(jsonReplyText(body)), .close,
            ])
        }
        defer { server.shutdownNow() }
        let lm = try LM("openai/m", apiBase: server.baseURL + "/v1", apiKey: "sk-test", numRetries: 0, cache: false)
        for i in 0..<30 { #expect(try await lm.call(messages: [.user("q\(i)")], parameters: [:]).outputs == ["ok"]) }
        // One answer per connection. A request that went out before the close arrived reached the
        // server on its way down and was sent again on a new connection: a few more received.
        #expect(server.connectionsAccepted == 30)
        #expect((30...60).contains(server.requests.count))
    }

    @Test func anEndpointGetsAtMostItsConnectionLimit() async throws {
        let server = try await LoopbackServer.start { _ in .delay(.milliseconds(20), then: completionReply("ok")) }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool(maxConnectionsPerEndpoint: 4)
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try await pool.send(target, headers: [], body: Array("{}".utf8), timeout: .seconds(60), maxBytes: 1 << 20).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 32))
        #expect(server.requests.count == 32)
        #expect(server.connectionsAccepted <= 4, "\(server.connectionsAccepted) connections for a limit of 4")
    }

    @Test func aReplyAnnouncingMoreThanTheLimitIsRefusedBeforeItsBody() async throws {
        let server = try await LoopbackServer.start { _ in
            .wire([.text("HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n"), .stall])
        }
        defer { server.shutdownNow() }
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        await #expect(throws: HTTP1Pool.Failure.bodyTooLarge(limit: 1000)) {
            try await HTTP1Pool.shared.send(target, headers: [], body: nil, timeout: .seconds(60), maxBytes: 1000)
        }
    }

    @Test func httpsWithTheServersCertificateTrusted() async throws {
        let server = try await TLSChatServer.start()
        defer { server.stop() }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try TLSChatServer.certificate()])
        let pool = HTTP1Pool(tlsConfiguration: tls)
        for host in ["localhost", "127.0.0.1"] {
            let target = try #require(HTTP1Pool.Target(url: "https://\(host):\(server.port)/v1/chat/completions"))
            for _ in 0..<3 {
                let reply = try await pool.send(target, headers: [], body: Array("{}".utf8), timeout: .seconds(60), maxBytes: 1 << 20)
                #expect(reply.status == 200)
                #expect(reply.bodyText.contains("over tls"))
            }
        }
        #expect(server.connections == 2, "one kept-alive connection per host name")
        // Through the process's pool (the system's trust roots) the same server is refused, plainly.
        do {
            _ = try await HTTPTransport.postJSON(
                url: "https://localhost:\(server.port)/v1/chat/completions", headers: [], body: Array(#"{"model":"m"}"#.utf8), timeout: .seconds(60),
                maxBytes: 1 << 20, model: "m")
            Issue.record("a self-signed certificate was accepted")
        } catch let error as LMError {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("certificate is not trusted"), "\(error.message)")
        }
    }

    @Test func httpToATLSPortFailsPlainly() async throws {
        let server = try await TLSChatServer.start()
        defer { server.stop() }
        let lm = try LM(
            "openai/m", apiBase: "http://127.0.0.1:\(server.port)/v1", apiKey: "sk-test", numRetries: 0, cache: false, timeout: .seconds(30))
        do {
            _ = try await lm.call(messages: [.user("q")], parameters: [:])
            Issue.record("a TLS server answered plain HTTP")
        } catch let error as LMError {
            #expect(error.kind != .timeout, "\(error)")
        }
    }

    // MARK: Requests their callers write on the socket

    /// Sends `count` requests one after another from this task (off the pool's loops), each with
    /// the LM's default timeout, and returns the statuses.
    private func sendInTurn(_ count: Int, to target: HTTP1Pool.Target, on pool: HTTP1Pool, body: [UInt8] = Array("{}".utf8)) async throws -> [Int] {
        var statuses: [Int] = []
        for _ in 0..<count {
            statuses.append(try await pool.send(target, headers: [], body: body, timeout: .seconds(600), maxBytes: 1 << 20).status)
        }
        return statuses
    }

    @Test func aCallerOffTheLoopWritesItsRequestOnThePlainSocketItself() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        #expect(try await sendInTurn(5, to: target, on: pool) == Array(repeating: 200, count: 5))
        // Zero here means the socket was not identified (a new form of NIO's channel description):
        // every request would then cost a wake-up of the loop's thread more.
        let connections = pool.idleConnections(to: target.endpoint)
        #expect(connections.map(\.requestsWrittenByCallers) == [5])
        #expect(server.connectionsAccepted == 1)
        #expect(server.requests.map(\.bodyString) == Array(repeating: "{}", count: 5))
    }

    @Test func aClosedConnectionIsReleasedWithItsSocketDuplicate() async throws {
        // The duplicate descriptor lives as long as the connection object: a connection kept
        // after it closed would keep a descriptor open for the life of the process.
        let body = completionJSON("ok")
        let server = try await LoopbackServer.start { _ in
            .wire([
                .text(jsonReplyText(body)),
                .pause(.milliseconds(100)), .close,
            ])
        }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        #expect(try await sendInTurn(1, to: target, on: pool) == [200])
        weak let connection = pool.idleConnections(to: target.endpoint).first
        #expect(connection != nil)
        #expect(await server.waitUntil { $0.openConnections == 0 })
        let deadline = ContinuousClock.now + .seconds(30)
        while connection != nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(connection == nil, "the closed connection was never released")
        #expect(pool.idleConnections(to: target.endpoint).isEmpty)
    }

    @Test func aRequestLargerThanTheSendBufferIsFinishedByTheLoopAndTheConnectionServesOn() async throws {
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        let large = (0..<(24 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
        #expect(try await sendInTurn(1, to: target, on: pool) == [200])
        #expect(try await sendInTurn(1, to: target, on: pool, body: large) == [200])
        #expect(try await sendInTurn(2, to: target, on: pool) == [200, 200])
        let received = server.requests
        try #require(received.count == 4)
        #expect(received[1].body == large, "the large body arrived altered (\(received[1].body.count) bytes)")
        #expect(received.map(\.connection) == [0, 0, 0, 0])
        #expect(pool.idleConnections(to: target.endpoint).map(\.requestsWrittenByCallers) == [4])
    }

    @Test func aReplyBeforeTheWholeRequestLeavesTheConnectionInStep() async throws {
        // The server answers a 24 MB request as soon as its head arrives, then reads its body.
        // Whether the reply comes before or after the caller has handed the rest of the body over,
        // the rest must still go out ahead of the next request (or the connection be dropped):
        // else the server would read the next request as body, and never answer it.
        let server = try await EarlyAnswerServer.start(answer: completionJSON("early"))
        defer { server.stop() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: "http://127.0.0.1:\(server.port)/v1/chat/completions"))
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 24 << 20)
        for _ in 0..<3 {
            #expect(try await sendInTurn(1, to: target, on: pool, body: large) == [200])
            #expect(try await pool.send(target, headers: [], body: Array("{}".utf8), timeout: .seconds(10), maxBytes: 1 << 20).status == 200)
        }
    }

    @Test func aRequestWrittenByItsCallerStillTimesOut() async throws {
        // The connection's timer is armed for its 15 s idle timeout when it connects, which comes
        // before the second request's 16 s deadline, so that request is written by its caller;
        // its stalled reply must still end at its deadline, although the timer first fires for
        // the idle timeout. No step has a deadline a starved test run could miss (a thread-
        // sanitizer run of the whole suite has taken 40 s over a test that takes 0.1 s alone),
        // and the loop is the test's own, which shell code run beside it cannot hold.
        let server = try await LoopbackServer.start { request in request.index == 0 ? completionReply("ok") : .wire([.stall]) }
        defer { server.shutdownNow() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = HTTP1Pool(group: group, idleTimeout: .seconds(15))
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        #expect(try await sendInTurn(1, to: target, on: pool) == [200])
        let connection = try #require(pool.idleConnections(to: target.endpoint).first)
        let (accepted, received) = (server.connectionsAccepted, server.requests.count)
        let started = ContinuousClock.now
        // Raced against 120 s, so that a deadline nobody enforces fails the test instead of
        // hanging it.
        let outcome = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    _ = try await pool.send(target, headers: [], body: nil, timeout: .seconds(16), maxBytes: 1 << 20)
                    return "answered"
                } catch is ExchangeWatch.Expired {
                    return "expired"
                } catch {
                    return "failed: \(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(120))
                return "still waiting after 120 s"
            }
            let first = await group.next() ?? "nothing"
            group.cancelAll()
            return first
        }
        let waited = ContinuousClock.now - started
        #expect(outcome == "expired")
        #expect(connection.requestsWrittenByCallers >= 1)
        // Sent once: the idle timer took the stalled request up rather than closing the
        // connection under it (which would have sent it again on a new one).
        #expect(server.requests.count == received + 1)
        #expect(server.connectionsAccepted == accepted)
        #expect(waited >= .milliseconds(15900) && waited < .seconds(120), "timed out after \(waited)")
        #expect(await server.waitUntil { $0.openConnections == 0 }, "the timed-out connection is still open")
        try await group.shutdownGracefully()
    }

    @Test func theIdleTimeoutLeavesANewConnectionForItsFirstCaller() async throws {
        // A new connection's timer is armed when it connects, and with a 1 ns idle timeout it
        // fires before the first caller gets to the connection: that must not close it under
        // the caller (whose request failed with "closed before reply").
        let server = try await LoopbackServer.start { _ in completionReply("ok") }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool(idleTimeout: .nanoseconds(1))
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        for _ in 0..<20 {
            #expect(try await pool.send(target, headers: [], body: nil, timeout: .seconds(30), maxBytes: 1 << 20).status == 200)
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.requests.count == 20)
    }

    @Test func cancellingARequestWrittenByItsCallerClosesTheConnection() async throws {
        let server = try await LoopbackServer.start { request in
            request.index == 0 ? completionReply("ok") : .delay(.seconds(60), then: completionReply("late"))
        }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        #expect(try await sendInTurn(1, to: target, on: pool) == [200])
        let connection = try #require(pool.idleConnections(to: target.endpoint).first)
        let call = Task { try await pool.send(target, headers: [], body: nil, timeout: .seconds(60), maxBytes: 1 << 20) }
        #expect(await server.waitUntil { $0.requests.count == 2 })
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(connection.requestsWrittenByCallers == 2)
        #expect(await server.waitUntil { $0.closedWhilePending == 1 }, "the server did not see the cancelled request's connection close")
    }

    @Test(arguments: ["garbage", "cut"])
    func aBrokenReplyToARequestWrittenByItsCallerFailsAsOnANewConnection(fault: String) async throws {
        // Request 0 is answered; 1 (on the kept-alive connection, written by its caller) and 2 (on
        // a new connection, through the loop: its deadline comes before the connection's idle
        // timeout) get the same broken reply.
        let broken: Reply =
            fault == "garbage"
            ? .wire([.text("NOT HTTP AT ALL\r\n\r\n"), .close])
            : .wire([.text("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cho"), .close])
        let server = try await LoopbackServer.start { request in request.index == 0 ? completionReply("ok") : broken }
        defer { server.shutdownNow() }
        let pool = HTTP1Pool()
        let target = try #require(HTTP1Pool.Target(url: server.baseURL + "/v1/chat/completions"))
        #expect(try await sendInTurn(1, to: target, on: pool) == [200])
        let connection = try #require(pool.idleConnections(to: target.endpoint).first)
        var errors: [String] = []
        for timeout in [60, 30] {
            do {
                _ = try await pool.send(target, headers: [], body: nil, timeout: .seconds(timeout), maxBytes: 1 << 20)
                Issue.record("a broken reply was taken")
            } catch {
                errors.append(String(describing: error))
            }
        }
        #expect(connection.requestsWrittenByCallers == 2)
        #expect(pool.idleConnections(to: target.endpoint).isEmpty)
        #expect(errors.count == 2 && errors[0] == errors[1], "\(errors)")
        #expect(server.connectionsAccepted == 2)
    }

    @Test func aProxyFromTheEnvironmentCarriesTheRequest() async throws {
        let proxy = try await ConnectProxy.start(answer: completionJSON("via proxy"))
        defer { proxy.stop() }
        let rules = ProxyRules(environment: ["HTTP_PROXY": "http://127.0.0.1:\(proxy.port)"])
        let reply = try await HTTPTransport.postJSON(
            url: "http://models.example/v1/chat/completions", headers: [("Authorization", "Bearer sk-test")], body: Array(#"{"model":"m"}"#.utf8),
            timeout: .seconds(60), maxBytes: 1 << 20, model: "m", proxies: rules)
        #expect(reply.status == 200)
        #expect(reply.bodyText.contains("via proxy"))
        let seen = proxy.seen
        #expect(seen.first?.hasPrefix("CONNECT models.example:80 ") == true, "\(seen)")
        #expect(seen.dropFirst().first?.hasPrefix("POST /v1/chat/completions ") == true, "\(seen)")
    }
}

/// An HTTPS chat server on 127.0.0.1 with the self-signed `localhost` certificate in Fixtures/tls.
private final class TLSChatServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let accepted: Locked<Int>

    var connections: Int { accepted.withLock { $0 } }

    static func certificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(file: fixtures.appendingPathComponent("localhost-cert.pem").path, format: .pem)
    }

    static func start() async throws -> TLSChatServer {
        let key = try NIOSSLPrivateKey(file: fixtures.appendingPathComponent("localhost-key.pem").path, format: .pem)
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(certificateChain: [.certificate(try certificate())], privateKey: .privateKey(key)))
        let accepted = Locked(0)
        let channel = try await listen { pipeline in
            accepted.withLock { $0 += 1 }
            try pipeline.addHandler(NIOSSLServerHandler(context: context))
            try pipeline.configureHTTPServerPipeline()
            try pipeline.addHandler(Responder(body: completionJSON("over tls")))
        }
        return TLSChatServer(port: channel.localAddress?.port ?? 0, channel: channel, accepted: accepted)
    }

    private init(port: Int, channel: any Channel, accepted: Locked<Int>) {
        self.port = port
        self.channel = channel
        self.accepted = accepted
    }

    func stop() { channel.close(promise: nil) }

    /// Answers every request with `body` once it has been read.
    private final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let body: String

        init(body: String) { self.body = body }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// An HTTP proxy that accepts `CONNECT`, then answers the tunnelled request itself with `answer`;
/// it records the first line of each.
/// Answers each request as soon as its head has arrived (as a server refusing a request by its
/// head may), then reads and drops its body, keeping the connection alive for the next one.
private final class EarlyAnswerServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let accepted: Locked<Int>

    var connectionsAccepted: Int { accepted.withLock { $0 } }

    static func start(answer: String) async throws -> EarlyAnswerServer {
        let accepted = Locked(0)
        let channel = try await listen { pipeline in
            accepted.withLock { $0 += 1 }
            try pipeline.addHandler(Answerer(answer: answer))
        }
        return EarlyAnswerServer(port: channel.localAddress?.port ?? 0, channel: channel, accepted: accepted)
    }

    private init(port: Int, channel: any Channel, accepted: Locked<Int>) {
        self.port = port
        self.channel = channel
        self.accepted = accepted
    }

    func stop() { channel.close(promise: nil) }

    private final class Answerer: ChannelInboundHandler, @unchecked Sendable {
        // Sendable proof: NIO calls a handler only on its channel's event loop, where `head` and
        // `bodyLeft` are used; `answer` is a constant.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answer: String
        private var head: [UInt8] = []
        private var bodyLeft = 0

        init(answer: String) { self.answer = answer }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            while bytes.readableBytes > 0 {
                if bodyLeft > 0 {
                    let dropped = min(bodyLeft, bytes.readableBytes)
                    bytes.moveReaderIndex(forwardBy: dropped)
                    bodyLeft -= dropped
                    continue
                }
                head.append(bytes.readInteger(as: UInt8.self) ?? 0)
                guard head.suffix(4) == Array("\r\n\r\n".utf8) else { continue }
                bodyLeft = contentLength(ofHead: String(decoding: head, as: UTF8.self))
                head = []
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: jsonReplyText(answer))), promise: nil)
            }
        }
    }
}

private final class ConnectProxy: Sendable {
    let port: Int
    private let channel: any Channel
    private let lines: Locked<[String]>

    var seen: [String] { lines.withLock { $0 } }

    static func start(answer: String) async throws -> ConnectProxy {
        let lines = Locked<[String]>([])
        let channel = try await listen { pipeline in try pipeline.addHandler(Tunnel(answer: answer, lines: lines)) }
        return ConnectProxy(port: channel.localAddress?.port ?? 0, channel: channel, lines: lines)
    }

    private init(port: Int, channel: any Channel, lines: Locked<[String]>) {
        self.port = port
        self.channel = channel
        self.lines = lines
    }

    func stop() { channel.close(promise: nil) }

    /// Reads raw bytes: the CONNECT head, then one request (head and Content-Length body).
    private final class Tunnel: ChannelInboundHandler, @unchecked Sendable {
        // Sendable proof: NIO calls a handler only on its channel's event loop, where `buffer`
        // and `tunnelled` are used; the other properties are constants.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answer: String
        let lines: Locked<[String]>
        private var buffer = ""
        private var tunnelled = false

        init(answer: String, lines: Locked<[String]>) {
            self.answer = answer
            self.lines = lines
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            buffer += String(buffer: unwrapInboundIn(data))
            while let headEnd = buffer.range(of: "\r\n\r\n") {
                let head = String(buffer[..<headEnd.lowerBound])
                let firstLine = head.components(separatedBy: "\r\n").first ?? ""
                if !tunnelled {
                    lines.withLock { $0.append(firstLine) }
                    buffer = String(buffer[headEnd.upperBound...])
                    tunnelled = true
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
                    continue
                }
                guard buffer[headEnd.upperBound...].utf8.count >= contentLength(ofHead: head) else { return }
                lines.withLock { $0.append(firstLine) }
                buffer = ""
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: jsonReplyText(answer))), promise: nil)
            }
        }
    }
}
