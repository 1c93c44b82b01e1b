import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Plain (non-streaming) requests over HTTP/1.1 keep-alive connections, written directly on
/// SwiftNIO. A caller off the event loops writes a plain connection's request on the socket
/// itself, and the reply reaches it with one hop from the loop (a caller on the connection's loop,
/// see ``IOExecutor``, makes none). No request has a timer of its own: each connection keeps one
/// timer that serves every deadline and its idle timeout.
/// A connection's pipeline is its TLS handler (for https) and the connection itself: the request
/// goes out as one buffer and the reply is read by ``HTTP1ResponseParser``, without NIO's HTTP/1
/// handlers. Replies are asked for uncompressed (`Accept-Encoding: identity`, as Python DSPy's
/// client asks), and a compressed one is refused.
/// The chat calls go through it; streams, provider batch uploads and proxied requests stay on
/// async-http-client (see ``HTTPTransport``).
///
/// A connection serves one request at a time and goes back to its endpoint's idle list when a
/// reply ends with keep-alive and the whole request has been handed over; the server closing an
/// idle connection takes it off the list.
package final class HTTP1Pool: Sendable {
    /// The process's pool on NIO's shared event loops. It lives for the process.
    package static let shared = HTTP1Pool()

    /// Scheme, host and port: the requests one connection can carry.
    package struct Endpoint: Hashable, Sendable {
        var secure: Bool
        var host: String
        var port: Int
    }

    /// A URL split for the pool: its endpoint, the request target and the `Host` header.
    package struct Target: Sendable, Equatable {
        var endpoint: Endpoint
        var path: String
        var hostHeader: String

        /// `http://host[:port]/path?query` or `https://...`; nil for anything the pool leaves
        /// to async-http-client (user info, a Unix socket, another scheme, a malformed address).
        package init?(url: String) {
            let secure: Bool
            var rest: Substring
            if url.utf8.starts(with: "http://".utf8) {
                secure = false
                rest = Substring(url).dropFirst(7)
            } else if url.utf8.starts(with: "https://".utf8) {
                secure = true
                rest = Substring(url).dropFirst(8)
            } else {
                return nil
            }
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            rest = rest[authorityEnd...]
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: { $0 == " " || $0 == "%" }) else { return nil }
            var host: Substring
            var portText: Substring?
            if authority.first == "[" {
                guard let close = authority.firstIndex(of: "]") else { return nil }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if !after.isEmpty {
                    guard after.first == ":" else { return nil }
                    portText = after.dropFirst()
                }
            } else if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty, !host.contains("[") && !host.contains("]") else { return nil }
            var port = secure ? 443 : 80
            if let portText, !portText.isEmpty {
                guard portText.count <= 5, portText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                    let p = Int(portText), (1...65535).contains(p)
                else { return nil }
                port = p
            }
            let path = rest.isEmpty ? "/" : (rest.first == "?" ? "/" + rest : String(rest))
            guard path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            endpoint = Endpoint(secure: secure, host: String(host), port: port)
            self.path = path
            let defaultPort = (secure && port == 443) || (!secure && port == 80)
            let hostName = host.contains(":") ? "[\(host)]" : String(host)
            hostHeader = defaultPort ? hostName : "\(hostName):\(port)"
        }

        /// The recently parsed addresses: an LM sends every call to the same one.
        private static let parsed = Locked<[String: Target]>([:])
        /// More distinct addresses than this and the memo starts over.
        private static let parsedLimit = 64

        /// ``init(url:)``, remembered for the addresses in use.
        package static func cached(url: String) -> Target? {
            if let known = parsed.withLock({ $0[url] }) { return known }
            guard let target = Target(url: url) else { return nil }
            parsed.withLock { memo in
                if memo.count >= parsedLimit { memo.removeAll(keepingCapacity: true) }
                memo[url] = target
            }
            return target
        }
    }

    /// Why the pool ended an exchange, before ``HTTPTransport`` names it for the user.
    enum Failure: Error, Equatable {
        /// The server closed the connection before the reply was complete.
        case closedBeforeReply
        /// A kept-alive connection was found closed, or closed before any byte of the reply came
        /// back: the server dropped it while it was idle. The request goes on another connection.
        case staleConnection
        /// The reply's body passed `limit` bytes.
        case bodyTooLarge(limit: Int)
        /// A request header's name is not a token, or its value holds a line break or NUL.
        case invalidHeader(name: String)
        /// The reply is compressed (`Content-Encoding`), which the pool never asks for.
        case encodedReply(coding: String)
    }

    private let group: any EventLoopGroup
    private let loops: [any EventLoop]
    private let tlsConfiguration: TLSConfiguration
    /// How long an unused connection stays open.
    let idleTimeout: TimeAmount
    private let connectTimeout: TimeAmount
    private let maxConnectionsPerEndpoint: Int
    private let sslContext: Locked<Result<NIOSSLContext, any Error>?> = Locked(nil)
    private let endpoints: Locked<[Endpoint: EndpointState]> = Locked([:])

    /// A class, so that a lookup under the lock mutates it in place: mutating a struct through
    /// the dictionary's subscript allocates the accessor's frame on every request.
    private final class EndpointState {
        var idle: [HTTP1Connection] = []
        let permits: AsyncSemaphore

        init(permits: AsyncSemaphore) { self.permits = permits }

        /// The idle connection a caller on `loop` (nil: on no loop of the pool) should use; nil
        /// for a new one on the caller's loop.
        func takeIdle(on loop: (any EventLoop)?, limit: Int) -> HTTP1Connection? {
            guard let loop else { return idle.popLast() }
            if let i = idle.lastIndex(where: { $0.loop === loop }) { return idle.remove(at: i) }
            // Only other loops' connections are idle. While the endpoint has room, a new one on
            // this loop spares every later call from here a thread hop (the others serve their
            // loops' callers or time out); at the limit, one of theirs. Every other request in
            // flight holds a connection; this caller holds a permit but no connection yet.
            let openWithANewOne = idle.count + permits.inUse
            return openWithANewOne <= limit ? nil : idle.popLast()
        }
    }

    /// - Parameters:
    ///   - tlsConfiguration: for https endpoints; by default the system's trust roots, HTTP/1.1 by ALPN.
    ///   - maxConnectionsPerEndpoint: requests in flight per endpoint; more wait for a connection.
    init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, tlsConfiguration: TLSConfiguration? = nil,
        idleTimeout: TimeAmount = .seconds(60), connectTimeout: TimeAmount = .seconds(10), maxConnectionsPerEndpoint: Int = 1024
    ) {
        self.group = group
        self.loops = Array(group.makeIterator())
        var tls = tlsConfiguration ?? TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["http/1.1"]
        self.tlsConfiguration = tls
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.maxConnectionsPerEndpoint = max(1, maxConnectionsPerEndpoint)
    }

    /// Sends one request and returns the whole reply (at most `maxBytes` of body). The exchange
    /// (connecting included) must end within `timeout`; cancelling the caller closes the
    /// connection. Errors are ``Failure``, `ExchangeWatch.Expired`, `CancellationError` or NIO's.
    package func send(
        _ target: Target, method: HTTPMethod = .POST, headers: [(String, String)], body: [UInt8]?, timeout: Duration, maxBytes: Int
    ) async throws -> HTTPReply {
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        let permits = permits(for: target.endpoint)
        try await permits.acquire()
        defer { permits.release() }
        let request = try Self.encode(method: method, target: target, headers: headers, body: body)
        // Kept-alive connections the server has closed are dropped and the request goes on the
        // next one; a new connection never fails that way, so this ends. A server that closed a
        // reused connection before answering may have seen the request: like any transport
        // failure after sending (which the LM retries), it may be sent twice.
        while true {
            let connection = try await connection(to: target.endpoint, deadline: deadline)
            do {
                return try await connection.exchange(
                    request: request, expectsNoBody: method == .HEAD, deadline: deadline, maxBytes: maxBytes)
            } catch Failure.staleConnection {
                continue
            }
        }
    }

    /// The request as it goes on the wire, head and body in one buffer (one write).
    static func encode(method: HTTPMethod, target: Target, headers: [(String, String)], body: [UInt8]?) throws -> ByteBuffer {
        let fixedBytes = 100 + target.path.utf8.count + target.hostHeader.utf8.count + (body?.count ?? 0)
        var request = ByteBufferAllocator().buffer(capacity: headers.reduce(fixedBytes) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
        request.writeString(method.rawValue)
        request.writeStaticString(" ")
        request.writeString(target.path)
        request.writeStaticString(" HTTP/1.1\r\nHost: ")
        request.writeString(target.hostHeader)
        request.writeStaticString("\r\nAccept-Encoding: identity\r\n")
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTP1Syntax.isToken), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
            else { throw Failure.invalidHeader(name: name) }
            request.writeString(name)
            request.writeStaticString(": ")
            request.writeString(value)
            request.writeStaticString("\r\n")
        }
        if let body {
            request.writeStaticString("Content-Length: ")
            request.writeString(String(body.count))
            request.writeStaticString("\r\n\r\n")
            request.writeBytes(body)
        } else {
            request.writeStaticString("\r\n")
        }
        return request
    }

    private func permits(for endpoint: Endpoint) -> AsyncSemaphore {
        endpoints.withLock { all in
            if let state = all[endpoint] { return state.permits }
            let permits = AsyncSemaphore(capacity: maxConnectionsPerEndpoint)
            all[endpoint] = EndpointState(permits: permits)
            return permits
        }
    }

    /// The most recently used idle connection to `endpoint` (on the caller's event loop when it
    /// runs on one of the pool's), or a new one.
    private func connection(to endpoint: Endpoint, deadline: NIODeadline) async throws -> HTTP1Connection {
        let here = currentLoop
        if let idle = endpoints.withLock({ all in all[endpoint].flatMap { $0.takeIdle(on: here, limit: maxConnectionsPerEndpoint) } }) {
            return idle
        }
        return try await connect(to: endpoint, on: here ?? group.next(), deadline: deadline)
    }

    /// The pool's event loop that runs the current thread, if any (see ``IOExecutor``).
    private var currentLoop: (any EventLoop)? {
        guard let here = MultiThreadedEventLoopGroup.currentEventLoop, loops.contains(where: { $0 === here }) else { return nil }
        return here
    }

    /// The connections to `endpoint` that wait for a request, most recently used last.
    func idleConnections(to endpoint: Endpoint) -> [HTTP1Connection] {
        endpoints.withLock { $0[endpoint]?.idle ?? [] }
    }

    /// Called on the connection's event loop when a reply ended and the connection can be reused.
    func checkIn(_ connection: HTTP1Connection) {
        endpoints.withLock { all in
            if let state = all[connection.endpoint] { state.idle.append(connection) }
        }
    }

    /// Called on the connection's event loop when it closed: it is no longer offered.
    func forget(_ connection: HTTP1Connection) {
        endpoints.withLock { all in
            guard let state = all[connection.endpoint], let i = state.idle.firstIndex(where: { $0 === connection }) else { return }
            state.idle.remove(at: i)
        }
    }

    private func context() throws -> NIOSSLContext {
        let result = sslContext.withLock { cached in
            if let cached { return cached }
            let made = Result { try NIOSSLContext(configuration: tlsConfiguration) }
            cached = made
            return made
        }
        return try result.get()
    }

    private func connect(to endpoint: Endpoint, on loop: any EventLoop, deadline: NIODeadline) async throws -> HTTP1Connection {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ExchangeWatch.Expired(phase: .head, events: 0) }
        let ssl = endpoint.secure ? try context() : nil
        // SNI carries a host name, never an address literal.
        let serverName = endpoint.secure && !Self.isAddressLiteral(endpoint.host) ? endpoint.host : nil
        let connection = HTTP1Connection(loop: loop, endpoint: endpoint, pool: self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(min(connectTimeout, remaining))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let ssl { try sync.addHandler(NIOSSLClientHandler(context: ssl, serverHostname: serverName)) }
                    try sync.addHandler(connection)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).map { channel in
                connection.connected(channel)
                return channel
            }.get()
        } catch ChannelError.connectTimeout {
            throw ExchangeWatch.Expired(phase: .head, events: 0)
        }
        if Task.isCancelled {
            channel.close(promise: nil)
            throw CancellationError()
        }
        // A connection that failed right away (a TLS handshake, say) reports why on its first exchange.
        return connection
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

/// One connection's HTTP/1.1 exchanges, the last handler of its pipeline.
///
/// An exchange starts in one of two ways. On the loop, ``start(_:request:)`` makes it `current`
/// and writes the request through the channel. A caller off the loop on a plain connection
/// instead leaves it in `handoff` and writes the request on the socket itself
/// (``startDirectly(_:request:)``): handing the write to the loop would wake the loop's thread
/// only to make one system call, and that wake-up is about as costly as the call. The loop takes
/// the exchange up at its next event for the connection (the reply, a close, the timer, a
/// cancellation).
///
/// Sendable proof: the mutable stored properties below are read and written only on `loop`, the
/// channel's event loop (by the pipeline's callbacks and by closures submitted with
/// `eventLoop.execute`); `handoff` is read and written only under its lock; `ids` and
/// `directSocket` are atomics; the other stored properties are constants of Sendable types.
final class HTTP1Connection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let loop: any EventLoop
    let endpoint: HTTP1Pool.Endpoint
    private let pool: HTTP1Pool
    /// Numbers exchanges, so a late cancellation cannot end a later exchange.
    private let ids = Atomic<UInt64>(0)

    private struct Exchange {
        let id: UInt64
        let continuation: UnsafeContinuation<HTTPReply, any Error>
        let deadline: NIODeadline
        let maxBytes: Int
        let expectsNoBody: Bool
        var status = 0
        var headers: [(String, String)] = []
        var headReceived = false
        var keepAlive = true
        var body: ByteBuffer?
        /// Some of the request went through the channel, which may still hold it when the reply
        /// ends (a server may answer before it has read a whole request).
        var wroteThroughChannel = false
    }

    /// What a caller off the loop and the loop share.
    private struct Handoff {
        /// An exchange whose request a caller wrote on the socket itself; the loop makes it
        /// `current` at its next event for this connection.
        var pending: Exchange?
        /// The connection is closed or closing: it takes no more requests.
        var closed = false
        /// When the connection's timer fires next (the distant future: not armed). A caller writes
        /// its request itself only when the timer fires by its deadline, so that the loop wakes in
        /// time to enforce the deadline if no reply does.
        var timerDeadline: NIODeadline = .distantFuture
        /// A cancellation that reached the loop before its exchange did.
        var cancelledBeforeStart: UInt64?
        /// The exchange whose caller has not yet handed all of its request over (to the socket,
        /// or to the loop for what the socket did not take). Its connection must not carry
        /// another request before then: that one's bytes could go out first.
        var writer: UInt64?
        /// The writer's reply ended with the connection kept alive: the writer puts the
        /// connection back in the pool when it is done.
        var checkInWhenWritten = false

        mutating func takePending() -> Exchange? {
            let exchange = pending
            pending = nil
            return exchange
        }
    }

    private let handoff = Locked(Handoff())
    /// A duplicate of a plain connection's socket descriptor, on which a caller off the loop writes
    /// its request; -1 when there is none (TLS, or the socket could not be identified). Set once,
    /// when the socket connects, and closed with the connection object.
    private let directSocket = Atomic<Int32>(-1)
    /// Requests that callers wrote on the socket themselves.
    private let directStarts = Atomic<Int>(0)

    /// How many of this connection's requests their callers wrote on the socket themselves.
    var requestsWrittenByCallers: Int { directStarts.load(ordering: .relaxed) }

    // Event-loop state.
    private var context: ChannelHandlerContext?
    private var parser = HTTP1ResponseParser()
    private var current: Exchange?
    /// What closed the connection when no exchange was running (a failed TLS handshake).
    private var closeError: (any Error)?
    private var isOpen = true
    /// Exchanges this connection completed: a connection that served one may be closed by the server while idle.
    private var served = 0
    private var idleSince: NIODeadline = .now()
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline = .distantFuture

    init(loop: any EventLoop, endpoint: HTTP1Pool.Endpoint, pool: HTTP1Pool) {
        self.loop = loop
        self.endpoint = endpoint
        self.pool = pool
    }

    deinit {
        let socket = directSocket.load(ordering: .relaxed)
        if socket >= 0 { SocketDuplicate.close(socket) }
    }

    /// Sends `head` and `body` and waits for the whole reply.
    func exchange(request: ByteBuffer, expectsNoBody: Bool, deadline: NIODeadline, maxBytes: Int) async throws -> HTTPReply {
        let id = ids.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                let exchange = Exchange(id: id, continuation: continuation, deadline: deadline, maxBytes: maxBytes, expectsNoBody: expectsNoBody)
                if loop.inEventLoop {
                    start(exchange, request: request)  // a caller on this loop (IOExecutor): no hop
                } else if !startDirectly(exchange, request: request) {
                    loop.execute { self.start(exchange, request: request) }
                }
            }
        } onCancel: {
            loop.execute { self.cancel(id) }
        }
    }

    /// Off the loop: leaves `exchange` for the loop and writes the request on the socket from
    /// this thread. False when the connection does not allow it (TLS, no timer armed by the
    /// deadline, closed, cancelled); the caller then hands the exchange to the loop.
    private func startDirectly(_ exchange: Exchange, request: ByteBuffer) -> Bool {
        let socket = directSocket.load(ordering: .acquiring)
        guard socket >= 0 else { return false }
        let left = handoff.withLock { h in
            guard !h.closed, h.pending == nil, h.writer == nil, h.cancelledBeforeStart != exchange.id, h.timerDeadline <= exchange.deadline
            else { return false }
            h.pending = exchange
            h.writer = exchange.id
            return true
        }
        guard left else { return false }
        directStarts.add(1, ordering: .relaxed)
        let (written, failure) = request.withUnsafeReadableBytes { SocketDuplicate.send($0, on: socket) }
        if written == request.readableBytes {
            let replied = handoff.withLock { h in
                h.writer = nil
                defer { h.checkInWhenWritten = false }
                return h.checkInWhenWritten && !h.closed
            }
            if replied { pool.checkIn(self) }  // the reply beat this thread here; the loop left the check-in to it
            return true
        }
        // A full send buffer: the loop writes the rest when the socket takes it. A failed
        // send: the loop ends the exchange as a lost connection.
        let rest = request.getSlice(at: request.readerIndex + written, length: request.readableBytes - written)
        loop.execute { self.continueDirectStart(exchange.id, rest: rest, failure: failure) }
        return true
    }

    /// On the loop, after a direct start that did not write the whole request.
    private func continueDirectStart(_ id: UInt64, rest: ByteBuffer?, failure: CInt?) {
        takeUpPending()
        let replied = handoff.withLock { h in
            h.writer = nil
            defer { h.checkInWhenWritten = false }
            return h.checkInWhenWritten
        }
        // A whole reply before the whole request (a server that answers early): what the
        // server makes of the rest is unknown, so the connection carries nothing more.
        if replied { return close() }
        guard var exchange = current, exchange.id == id, let context else { return }  // already ended
        if let failure {
            return finish(.failure(IOError(errnoCode: failure, reason: "send")))
        }
        if let rest {
            exchange.wroteThroughChannel = true
            current = exchange
            context.writeAndFlush(wrapOutboundOut(rest), promise: nil)
        }
    }

    /// Makes the exchange a caller started off the loop `current`.
    private func takeUpPending() {
        guard current == nil, let exchange = handoff.withLock({ $0.takePending() }) else { return }
        makeCurrent(exchange)
    }

    private func makeCurrent(_ exchange: Exchange) {
        current = exchange
        parser.expectsNoBody = exchange.expectsNoBody
    }

    private func start(_ exchange: Exchange, request: ByteBuffer) {
        if handoff.withLock({ $0.cancelledBeforeStart == exchange.id }) {
            exchange.continuation.resume(throwing: CancellationError())
            close()
            return
        }
        guard current == nil else {
            exchange.continuation.resume(throwing: HTTP1Pool.Failure.staleConnection)  // never two at once; another connection takes it
            return
        }
        guard isOpen, let context, context.channel.isActive else {
            // Closed while idle: another connection takes the request. A connection that never
            // served one failed on its own (a handshake, say): that is the answer.
            close()
            exchange.continuation.resume(throwing: served > 0 ? HTTP1Pool.Failure.staleConnection : closeError ?? HTTP1Pool.Failure.closedBeforeReply)
            return
        }
        makeCurrent(exchange)
        current?.wroteThroughChannel = true
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        arm(exchange.deadline)
    }

    private func cancel(_ id: UInt64) {
        if current == nil {
            // The exchange is pending, or has not reached the connection yet; either way it is
            // known by the time the lock is released.
            let pending = handoff.withLock { h -> Exchange? in
                guard h.pending?.id == id else {
                    h.cancelledBeforeStart = id
                    return nil
                }
                return h.takePending()
            }
            guard let pending else { return }
            makeCurrent(pending)
        }
        guard let exchange = current, exchange.id == id else {
            handoff.withLock { $0.cancelledBeforeStart = id }
            return
        }
        finish(.failure(CancellationError()))
    }

    /// Ends the current exchange (if any) with `result`; a failure closes the connection.
    private func finish(_ result: Result<HTTPReply, any Error>) {
        guard let exchange = current else { return }
        current = nil
        switch result {
        case .success(let reply):
            served += 1
            if exchange.keepAlive && isOpen && !holdsUnwrittenRequest(exchange) {
                idleSince = .now()
                arm(idleSince + pool.idleTimeout)
                let writing = handoff.withLock { h in
                    guard h.writer == exchange.id else { return false }
                    h.checkInWhenWritten = true
                    return true
                }
                if !writing { pool.checkIn(self) }
            } else {
                close()
            }
            exchange.continuation.resume(returning: reply)
        case .failure(let error):
            close()
            let dropped = served > 0 && !exchange.headReceived && Self.isConnectionLoss(error)
            exchange.continuation.resume(throwing: dropped ? HTTP1Pool.Failure.staleConnection : error)
        }
    }

    /// True when the channel still holds some of `exchange`'s request: the next request must not
    /// be written on the socket ahead of it.
    private func holdsUnwrittenRequest(_ exchange: Exchange) -> Bool {
        guard exchange.wroteThroughChannel, directSocket.load(ordering: .relaxed) >= 0, let options = context?.channel.syncOptions else {
            return false
        }
        return ((try? options.getOption(.bufferedWritableBytes)) ?? 1) > 0
    }

    /// The connection went away (closed, reset, broken pipe), as opposed to a timeout, a
    /// cancellation or a reply the client refused.
    private static func isConnectionLoss(_ error: any Error) -> Bool {
        if let failure = error as? HTTP1Pool.Failure { return failure == .closedBeforeReply }
        return error is IOError || error is ChannelError
    }

    private func close() {
        guard isOpen else { return }
        isOpen = false
        timer?.cancel()
        timer = nil
        // Closed for callers before it leaves the pool, so that a writer finishing now cannot
        // put it back.
        let pending = handoff.withLock { h in
            h.closed = true
            h.checkInWhenWritten = false
            h.timerDeadline = .distantFuture
            return h.takePending()
        }
        pool.forget(self)
        // The socket stays open while its duplicate does: shut it down so that the server sees
        // the close now, and a send that races with this one fails.
        let socket = directSocket.load(ordering: .relaxed)
        if socket >= 0 { SocketDuplicate.shutDown(socket) }
        context?.close(promise: nil)
        // A request written as the connection closed: another connection takes it, as when a
        // kept-alive connection closes before the request reaches it.
        pending?.continuation.resume(throwing: served > 0 ? HTTP1Pool.Failure.staleConnection : closeError ?? HTTP1Pool.Failure.closedBeforeReply)
    }

    /// Makes the connection's one timer fire no later than `deadline`.
    private func arm(_ deadline: NIODeadline) {
        guard isOpen, deadline < timerDeadline else { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = loop.scheduleTask(deadline: deadline) { [self] in timerFired() }
        handoff.withLock { $0.timerDeadline = deadline }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = .distantFuture
        // Until it is armed again, callers hand their exchanges to the loop.
        let idle = current == nil
        if let pending = handoff.withLock({ h in
            h.timerDeadline = .distantFuture
            return idle ? h.takePending() : nil
        }) {
            makeCurrent(pending)
        }
        let now = NIODeadline.now()
        if let exchange = current {
            if now >= exchange.deadline {
                finish(.failure(ExchangeWatch.Expired(phase: exchange.headReceived ? .body : .head, events: 0)))
            } else {
                arm(exchange.deadline)
            }
        } else if served == 0 {
            // A new connection on its way to its first caller, not an idle one. (Not sooner than a
            // second from now, so that a tiny idle timeout cannot spin the loop meanwhile.)
            idleSince = now
            arm(now + max(pool.idleTimeout, .seconds(1)))
        } else if now >= idleSince + pool.idleTimeout {
            close()
        } else {
            arm(idleSince + pool.idleTimeout)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// On the loop, when the socket has connected and before the connection goes to its first
    /// caller (NIO fires `channelActive` only after that caller may have resumed).
    func connected(_ channel: any Channel) {
        if !endpoint.secure, let socket = SocketDuplicate.make(of: channel) {
            directSocket.store(socket, ordering: .releasing)
        }
        // The idle timeout counts from now, and the armed timer lets the first request be
        // written by its caller too.
        idleSince = .now()
        arm(idleSince + pool.idleTimeout)
    }

    /// The context holds this handler: keeping it after the channel closed would keep both, and
    /// the socket's duplicate, for the life of the process.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        takeUpPending()
        guard current != nil else {
            close()  // a reply nobody asked for: the connection's framing can no longer be trusted
            return
        }
        var bytes = unwrapInboundIn(data)
        // The exchange ends after the parser returns: ending it closes the connection on a
        // failure, and the close reaches channelInactive, which asks the parser about the close.
        var reply: HTTPReply?
        do {
            try parser.feed(&bytes) { event in
                reply = try receive(event)
                return reply == nil
            }
        } catch {
            return finish(.failure(error))
        }
        if let reply { finish(.success(reply)) }
    }

    /// Takes one event of the reply; the whole reply at its end.
    private func receive(_ event: HTTP1ResponseParser.Event) throws -> HTTPReply? {
        guard var exchange = current else { return nil }
        switch event {
        case .head(let status, let headers, let keepAlive, let bodyLength):
            exchange.status = status
            exchange.headers = headers
            exchange.headReceived = true
            exchange.keepAlive = keepAlive
            current = exchange
            if let coding = HTTPReply.header("content-encoding", in: headers)?.trimmingWhitespace().lowercased(),
                !coding.isEmpty, coding != "identity"
            {
                throw HTTP1Pool.Failure.encodedReply(coding: coding)
            }
            if let bodyLength, bodyLength > exchange.maxBytes {
                throw HTTP1Pool.Failure.bodyTooLarge(limit: exchange.maxBytes)
            }
        case .body(var part):
            let received = exchange.body?.readableBytes ?? 0
            guard received + part.readableBytes <= exchange.maxBytes else { throw HTTP1Pool.Failure.bodyTooLarge(limit: exchange.maxBytes) }
            if exchange.body == nil {
                exchange.body = part
            } else {
                exchange.body?.writeBuffer(&part)
            }
            current = exchange
        case .end(let bytesFollow):
            // Bytes after the reply's end: the connection's framing can no longer be trusted.
            if bytesFollow {
                exchange.keepAlive = false
                current = exchange
            }
            return HTTPReply(status: exchange.status, headers: exchange.headers, body: exchange.body.map { Array($0.readableBytesView) } ?? [])
        }
        return nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        takeUpPending()
        if current != nil {
            finish(.failure(error))
        } else {
            closeError = closeError ?? error
            close()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        takeUpPending()
        if current != nil {
            if parser.closed(), let exchange = current {
                // A body that runs until the close has ended.
                let body = exchange.body.map { Array($0.readableBytesView) } ?? []
                finish(.success(HTTPReply(status: exchange.status, headers: exchange.headers, body: body)))
            } else {
                finish(.failure(HTTP1Pool.Failure.closedBeforeReply))
            }
        }
        close()
        context.fireChannelInactive()
    }
}

/// A second descriptor for a connection's socket, on which a caller off the event loop writes
/// requests (see ``HTTP1Connection``). A duplicate, not NIO's own descriptor: NIO may close its
/// descriptor at any moment on the loop, and the number could then name another file.
enum SocketDuplicate {
    /// A duplicate of `channel`'s socket, or nil. NIO names the descriptor only in the channel's
    /// description (`fd=12`), so the duplicate is kept only when its two addresses are the
    /// channel's: a description of another form turns the direct writes off and breaks nothing.
    /// Called on the channel's loop, where NIO cannot close the descriptor meanwhile.
    static func make(of channel: any Channel) -> CInt? {
        #if os(Linux)
            let text = String(describing: channel)
            guard let label = text.range(of: "fd="), let fd = CInt(text[label.upperBound...].prefix(while: \.isASCII).prefix(while: \.isNumber)),
                let local = channel.localAddress, let remote = channel.remoteAddress
            else { return nil }
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { return nil }
            // Half the process's descriptors at most: a duplicate must never be why a connection
            // cannot be opened.
            guard Int(copy) < descriptorLimit / 2, has(copy, getsockname, local), has(copy, getpeername, remote) else {
                Glibc.close(copy)
                return nil
            }
            return copy
        #else
            return nil
        #endif
    }

    /// Writes as much of `bytes` as the socket takes now: the count written, and the error that
    /// stopped it (nil when the send buffer is full, or when all was written).
    static func send(_ bytes: UnsafeRawBufferPointer, on socket: CInt) -> (written: Int, failure: CInt?) {
        #if os(Linux)
            guard let base = bytes.baseAddress else { return (0, nil) }
            var written = 0
            while written < bytes.count {
                let n = Glibc.send(socket, base + written, bytes.count - written, CInt(MSG_NOSIGNAL | MSG_DONTWAIT))
                if n > 0 {
                    written += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    let code = n < 0 ? errno : EPIPE
                    return (written, code == EAGAIN || code == EWOULDBLOCK ? nil : code)
                }
            }
            return (written, nil)
        #else
            return (0, nil)
        #endif
    }

    static func shutDown(_ socket: CInt) {
        #if os(Linux)
            _ = Glibc.shutdown(socket, CInt(SHUT_RDWR))
        #endif
    }

    static func close(_ socket: CInt) {
        #if os(Linux)
            _ = Glibc.close(socket)
        #endif
    }

    #if os(Linux)
        private static let descriptorLimit: Int = {
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(Int32.max) else {
                return Int(Int32.max)
            }
            return Int(clamping: limit.rlim_cur)
        }()

        /// True when `query` (getsockname or getpeername) gives `socket` the address `address`.
        private static func has(
            _ socket: CInt, _ query: (CInt, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> CInt, _ address: SocketAddress
        ) -> Bool {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let found = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { query(socket, $0, &length) }
            }
            guard found == 0 else { return false }
            return address.withSockAddr { expected, size in
                size == Int(length) && memcmp(expected, &storage, size) == 0
            }
        }
    #endif
}

/// The pieces of HTTP/1.1 syntax both directions check.
enum HTTP1Syntax {
    /// RFC 9110 `tchar`: what a header name is made of.
    static func isToken(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    /// Whether two header names are the same name: equal but for ASCII case, as HTTP compares
    /// them (without building a lowercased copy of either).
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func lowercased(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
    }
}
