// A small HTTP/1.1 server on 127.0.0.1 for tests that talk to a real socket.
//
//     let server = try await LoopbackServer.start { request in
//         request.path == "/v1/chat/completions" ? .json(body: #"{"choices": []}"#) : .json(status: 404, body: "{}")
//     }
//     defer { server.shutdownNow() }          // or: try await server.shutdown()
//     ... point a client at server.baseURL ...
//     #expect(server.requests.count == 1)
//
// or, scoped (shuts down even when the body throws):
//
//     try await LoopbackServer.with({ _ in .json(body: "{}") }) { server in ... }
//
// Each server binds its own free port (port 0), so tests can run in parallel. It keeps every
// request it receives (in arrival order), serves keep-alive connections and many concurrent
// connections, answers requests on one connection in order, and counts requests whose
// connection was closed by the client before they were answered (``closedWhilePending``).

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import DSPy
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request as the server received it.
public struct RecordedRequest: Sendable, CustomStringConvertible {
    /// 0-based arrival order across all connections of the server.
    public let index: Int
    /// The connection that carried it (0-based, in accept order).
    public let connection: Int
    /// `"POST"`, `"GET"`, ...
    public let method: String
    /// The request target as sent (`/v1/chat/completions?x=1`).
    public let uri: String
    /// Header fields in the order they arrived.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    /// `uri` without its query string.
    public var path: String {
        guard let q = uri.firstIndex(of: "?") else { return uri }
        return String(uri[..<q])
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of a header, by case-insensitive name.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public var bodyString: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, or nil when it is not JSON.
    public var json: Value? { try? JSON.parse(bodyString) }

    public var description: String { "#\(index) \(method) \(uri) (\(body.count) bytes, connection \(connection))" }
}

/// What the server does with a request.
public indirect enum Reply: Sendable {
    /// A response with `Content-Type: application/json` (unless `headers` sets another).
    case json(status: Int = 200, body: String, headers: [(String, String)] = [])
    /// A response with any content type.
    case raw(status: Int = 200, contentType: String, body: String, headers: [(String, String)] = [])
    /// Waits, then does `then`. The wait ends early (and nothing is sent) when the client closes
    /// the connection or the server shuts down.
    case delay(Duration, then: Reply)
    /// Closes the connection without answering.
    case dropConnection
    /// A body sent in pieces with chunked transfer encoding: each ``StreamStep/send(_:)`` is a
    /// separate write and flush, ``StreamStep/pause(_:)`` waits between them, and
    /// ``StreamStep/cut`` closes the connection mid-body (no terminating chunk). A client that
    /// closes the connection mid-stream stops it (and counts in ``LoopbackServer/closedWhilePending``).
    case stream(status: Int = 200, contentType: String = "text/event-stream", steps: [StreamStep], headers: [(String, String)] = [])
    /// Raw bytes on the socket, head included: no HTTP framing is added or checked, so a reply
    /// can be as broken as a hostile server's. After the last step the connection is closed.
    /// ``Hostile`` builds the usual broken replies from these.
    case wire([WireStep])

    /// A JSON response built from a ``Value``.
    public static func json(status: Int = 200, _ value: Value, headers: [(String, String)] = []) -> Reply {
        .json(status: status, body: JSON.compact(value), headers: headers)
    }
}

/// One step of a ``Reply/stream(status:contentType:steps:headers:)`` body.
public enum StreamStep: Sendable {
    /// Writes this text as its own chunk and flushes it.
    case send(String)
    /// Writes these bytes as their own chunk (to split a UTF-8 sequence, say) and flushes them.
    case sendBytes([UInt8])
    /// Waits before the next step.
    case pause(Duration)
    /// Closes the connection here, without finishing the body.
    case cut

    /// Server-sent events, one step per event: `data: <json>` plus the blank line.
    public static func events(_ data: [String]) -> [StreamStep] { data.map { .send("data: \($0)\n\n") } }
}

/// One step of a ``Reply/wire(_:)`` reply.
public enum WireStep: Sendable {
    /// Writes these bytes and flushes them.
    case bytes([UInt8])
    /// Writes this text (UTF-8) and flushes it.
    case text(String)
    /// Writes `count` copies of `byte` in pieces of `chunk` bytes, each written once the client
    /// has taken the previous one (so a huge body never sits in memory).
    case repeated(UInt8, count: Int, chunk: Int = 64 << 10)
    /// Waits before the next step.
    case pause(Duration)
    /// Sends nothing more, ever: the connection stays open until the client closes it (which
    /// counts in ``LoopbackServer/closedWhilePending``) or the server shuts down.
    case stall
    /// Closes the connection here.
    case close
}

/// An HTTP/1.1 server on `127.0.0.1:<free port>`, answering every request with a handler.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (RecordedRequest) async -> Reply

    /// The port the server listens on.
    public let port: Int
    private let serverChannel: any Channel
    private let core: Core

    /// `http://127.0.0.1:<port>` (no trailing slash).
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { core.state.withLock { $0.requests } }

    /// Requests that were received in full but whose connection the client closed before the
    /// handler's reply was sent (a cancelled or timed-out client). Replies of `.dropConnection`
    /// and closes caused by ``shutdown()`` do not count.
    public var closedWhilePending: Int { core.state.withLock { $0.closedWhilePending } }

    /// Connections accepted so far.
    public var connectionsAccepted: Int { core.state.withLock { $0.nextConnection } }

    /// Connections open right now.
    public var openConnections: Int { core.state.withLock { $0.open.count } }

    private init(port: Int, serverChannel: any Channel, core: Core) {
        self.port = port
        self.serverChannel = serverChannel
        self.core = core
    }

    deinit {
        // A safety net for tests that forget to shut down: stop listening, drop connections.
        for channel in core.beginShutdown() { channel.close(promise: nil) }
        serverChannel.close(promise: nil)
    }

    /// Starts a server on a free port of 127.0.0.1.
    public static func start(_ handler: @escaping Handler) async throws -> LoopbackServer {
        let core = Core(handler: handler)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Closest to the socket, before the HTTP encoder: raw (`.wire`) replies go out through it.
                    let outlet = RawOutlet()
                    try channel.pipeline.syncOperations.addHandler(outlet, position: .first)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: false,
                        withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core, outlet: outlet))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close().get()
            throw LoopbackServerError.noPort
        }
        return LoopbackServer(port: port, serverChannel: channel, core: core)
    }

    /// Starts a server, runs `body` with it, and shuts it down afterwards (also when `body` throws).
    public static func with<T: Sendable>(
        _ handler: @escaping Handler,
        _ body: (LoopbackServer) async throws -> T
    ) async throws -> T {
        let server = try await start(handler)
        do {
            let result = try await body(server)
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    /// Stops listening and closes every open connection; pending handlers are cancelled.
    public func shutdown() async throws {
        let channels = core.beginShutdown()
        for channel in channels { try? await channel.close().get() }
        do { try await serverChannel.close().get() } catch ChannelError.alreadyClosed {}
    }

    /// ``shutdown()`` without waiting, for `defer`.
    public func shutdownNow() {
        for channel in core.beginShutdown() { channel.close(promise: nil) }
        serverChannel.close(promise: nil)
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
    public func waitUntil(timeout: Duration = .seconds(30), _ condition: (LoopbackServer) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if condition(self) { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A port on 127.0.0.1 where connecting is refused for as long as the value lives: a socket
    /// is bound there but never listens, so no other test's server can take the port meanwhile
    /// (a port that was merely free could be reused by a server started in parallel).
    public final class RefusingPort: Sendable {
        public let port: Int
        private let fd: Int32

        public init() throws {
            (fd, port) = try LoopbackServer.boundSocket()
        }

        deinit { _ = closeSocket(fd) }
    }

    /// A port on 127.0.0.1 where nothing listens: binds a socket to port 0, reads the port the
    /// system chose, and closes the socket, so a server may be started there (another test's
    /// server may take it too: to test a refused connection, hold a ``RefusingPort``).
    public static func refusedPort() throws -> Int {
        let (fd, port) = try boundSocket()
        _ = closeSocket(fd)
        return port
    }

    /// A TCP socket bound to 127.0.0.1 on a port the system chose (not listening), and that port.
    private static func boundSocket() throws -> (fd: Int32, port: Int) {
        #if canImport(Darwin)
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { throw LoopbackServerError.socket(errno) }
        var address = sockaddr_in()
        #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named =
            bound == 0
            ? withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            } : -1
        guard named == 0 else {
            let code = errno
            _ = closeSocket(fd)
            throw LoopbackServerError.socket(code)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

public enum LoopbackServerError: Error {
    case noPort
    case socket(Int32)
}

private func closeSocket(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
        return Darwin.close(fd)
    #elseif canImport(Musl)
        return Musl.close(fd)
    #else
        return Glibc.close(fd)
    #endif
}

// MARK: - Internals

/// The state shared by the server and its connection handlers.
private final class Core: Sendable {
    struct State {
        var requests: [RecordedRequest] = []
        var nextConnection = 0
        var open: [Int: any Channel] = [:]
        var closedWhilePending = 0
        var shuttingDown = false
    }

    let handler: LoopbackServer.Handler
    let state = Locked(State())

    init(handler: @escaping LoopbackServer.Handler) { self.handler = handler }

    /// Registers a new connection; nil when the server is shutting down (the caller closes it).
    func open(_ channel: any Channel) -> Int? {
        state.withLock { s in
            guard !s.shuttingDown else { return nil }
            let id = s.nextConnection
            s.nextConnection += 1
            s.open[id] = channel
            return id
        }
    }

    func closed(_ connection: Int, unanswered: Int) {
        state.withLock { s in
            s.open.removeValue(forKey: connection)
            if !s.shuttingDown { s.closedWhilePending += unanswered }
        }
    }

    func record(connection: Int, head: HTTPRequestHead, body: [UInt8]) -> RecordedRequest {
        state.withLock { s in
            let r = RecordedRequest(
                index: s.requests.count, connection: connection, method: head.method.rawValue,
                uri: head.uri, headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)
            s.requests.append(r)
            return r
        }
    }

    /// Marks the server as shutting down and returns the connections to close.
    func beginShutdown() -> [any Channel] {
        state.withLock { s in
            s.shuttingDown = true
            return Array(s.open.values)
        }
    }
}

/// The pipeline's first handler: writing through its context puts bytes on the socket as they
/// are, past the HTTP encoder. It only passes other writes on. Touched only on the event loop.
private final class RawOutlet: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes and flushes `bytes` to the socket; the future completes once they are written.
    func send(_ bytes: ByteBuffer, on loop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context else { return loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        return context.writeAndFlush(NIOAny(bytes))
    }
}

/// One connection: collects each request, runs the handler off the event loop, writes the reply.
/// All stored state is touched only on the channel's event loop.
private final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private struct Received {
        let request: RecordedRequest
        let keepAlive: Bool
        let version: HTTPVersion
    }

    private let core: Core
    private let outlet: RawOutlet
    private var connection: Int?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    /// Received requests waiting for their turn (a client that pipelines).
    private var queue: [Received] = []
    /// True while a request's handler runs or its reply is being delayed.
    private var busy = false
    private var inFlight: Task<Void, Never>?
    private var isClosed = false

    init(core: Core, outlet: RawOutlet) {
        self.core = core
        self.outlet = outlet
    }

    func channelActive(context: ChannelHandlerContext) {
        if let id = core.open(context.channel) {
            connection = id
        } else {
            isClosed = true
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let h = head, let connection, !isClosed else { return }
            head = nil
            let request = core.record(connection: connection, head: h, body: body)
            body = []
            queue.append(Received(request: request, keepAlive: h.isKeepAlive, version: h.version))
            serveNext(context: context)
        }
    }

    private func serveNext(context: ChannelHandlerContext) {
        guard !busy, !isClosed, !queue.isEmpty else { return }
        busy = true
        let next = queue.removeFirst()
        let loop = context.eventLoop
        let boundSelf = NIOLoopBound(self, eventLoop: loop)
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        let handler = core.handler
        inFlight = Task {
            var reply = await handler(next.request)
            while case .delay(let wait, let then) = reply {
                do { try await Task.sleep(for: wait) } catch { return }  // cancelled: the connection closed
                reply = then
            }
            if case .wire(let steps) = reply {
                await ConnectionHandler.runWire(steps, loop: loop, boundSelf: boundSelf, boundContext: boundContext)
                return
            }
            if case .stream(let status, let contentType, let steps, let headers) = reply {
                loop.execute {
                    boundSelf.value.startStream(status: status, contentType: contentType, headers: headers, for: next, context: boundContext.value)
                }
                for step in steps {
                    switch step {
                    case .send(let text):
                        loop.execute { boundSelf.value.streamWrite(Array(text.utf8), context: boundContext.value) }
                    case .sendBytes(let bytes):
                        loop.execute { boundSelf.value.streamWrite(bytes, context: boundContext.value) }
                    case .pause(let wait):
                        do { try await Task.sleep(for: wait) } catch { return }  // cancelled: the connection closed
                    case .cut:
                        loop.execute { boundSelf.value.streamCut(context: boundContext.value) }
                        return
                    }
                }
                loop.execute { boundSelf.value.streamEnd(for: next, context: boundContext.value) }
                return
            }
            let final = reply
            loop.execute { boundSelf.value.finish(final, for: next, context: boundContext.value) }
        }
    }

    /// Plays a ``Reply/wire(_:)`` reply, then closes the connection (unless the client did).
    /// Runs in the request's task; every channel access hops to the event loop.
    private static func runWire(
        _ steps: [WireStep], loop: any EventLoop, boundSelf: NIOLoopBound<ConnectionHandler>,
        boundContext: NIOLoopBound<ChannelHandlerContext>
    ) async {
        func send(_ bytes: [UInt8]) async -> Bool {
            guard !bytes.isEmpty else { return true }
            let sent = loop.flatSubmit { () -> EventLoopFuture<Void> in
                let handler = boundSelf.value
                guard !handler.isClosed else { return loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
                return handler.outlet.send(boundContext.value.channel.allocator.buffer(bytes: bytes), on: loop)
            }
            do { try await sent.get(); return true } catch { return false }
        }
        steps: for step in steps {
            switch step {
            case .bytes(let b):
                guard await send(b) else { return }
            case .text(let t):
                guard await send(Array(t.utf8)) else { return }
            case .repeated(let byte, let count, let chunk):
                var left = count
                let piece = max(1, chunk)
                while left > 0 {
                    let n = min(piece, left)
                    guard await send([UInt8](repeating: byte, count: n)) else { return }
                    left -= n
                }
            case .pause(let wait):
                do { try await Task.sleep(for: wait) } catch { return }  // cancelled: the connection closed
            case .stall:
                while true {
                    do { try await Task.sleep(for: .seconds(3600)) } catch { return }  // until the connection closes
                }
            case .close:
                break steps
            }
        }
        loop.execute { boundSelf.value.streamCut(context: boundContext.value) }
    }

    private func startStream(
        status: Int, contentType: String, headers extra: [(String, String)], for received: Received,
        context: ChannelHandlerContext
    ) {
        guard !isClosed else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        let head = HTTPResponseHead(version: received.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
    }

    private func streamWrite(_ bytes: [UInt8], context: ChannelHandlerContext) {
        guard !isClosed, !bytes.isEmpty else { return }
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    private func streamCut(context: ChannelHandlerContext) {
        guard !isClosed else { return }
        inFlight = nil
        queue.removeAll()  // the server chose to stop: not a client close
        isClosed = true
        context.close(promise: nil)
    }

    private func streamEnd(for received: Received, context: ChannelHandlerContext) {
        inFlight = nil
        guard !isClosed else { return }
        busy = false
        if received.keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            serveNext(context: context)
        } else {
            isClosed = true
            queue.removeAll()
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func finish(_ reply: Reply, for received: Received, context: ChannelHandlerContext) {
        inFlight = nil
        guard !isClosed else { return }
        busy = false
        switch reply {
        case .dropConnection:
            queue.removeAll()  // the server chose not to answer: none of these count as pending
            isClosed = true
            context.close(promise: nil)
            return
        case .json(let status, let body, let headers):
            write(status: status, contentType: "application/json", body: body, headers: headers, for: received, context: context)
        case .raw(let status, let contentType, let body, let headers):
            write(status: status, contentType: contentType, body: body, headers: headers, for: received, context: context)
        case .delay, .stream, .wire:
            preconditionFailure("delays, streams and wire replies are resolved before finish")
        }
        if received.keepAlive {
            serveNext(context: context)
        }
    }

    private func write(
        status: Int, contentType: String, body: String, headers extra: [(String, String)],
        for received: Received, context: ChannelHandlerContext
    ) {
        let bytes = context.channel.allocator.buffer(string: body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(bytes.readableBytes))
        if !received.keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: received.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        if received.keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            isClosed = true
            queue.removeAll()
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let unanswered = (busy && !isClosed ? 1 : 0) + (isClosed ? 0 : queue.count)
        isClosed = true
        queue.removeAll()
        inFlight?.cancel()
        inFlight = nil
        if let connection { core.closed(connection, unanswered: unanswered) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Resets and protocol errors end the connection; channelInactive does the bookkeeping.
        context.close(promise: nil)
    }
}

/// An OpenAI chat-completions reply whose text is `text`; usage 5 + 2 = 7.
public func completionReply(_ text: String) -> Reply {
    .json([
        "model": "m",
        "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
        "usage": ["prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7],
    ])
}
