import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An OpenAI-compatible chat server on 127.0.0.1 that answers every request in ChatAdapter
/// format after a fixed latency (scheduled on the event loop, so it never blocks), and counts
/// requests and the highest number it saw in flight at once.
final class BenchServer: Sendable {
    let port: Int
    private let channel: any Channel
    let stats: Stats

    final class Stats: Sendable {
        let inFlight = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let total = Atomic<Int>(0)
        func reset() {
            peak.store(0, ordering: .relaxed)
            total.store(0, ordering: .relaxed)
        }
    }

    static let reply: String = {
        let content = "[[ ## reasoning ## ]]\\nbench reasoning\\n\\n[[ ## answer ## ]]\\nbench answer\\n\\n[[ ## completed ## ]]"
        return #"{"id":"bench","object":"chat.completion","model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":""# + content
            + #""},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120}}"#
    }()

    static func start(port: Int = 0, latency: Duration) async throws -> BenchServer {
        let stats = Stats()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(latency: latency, stats: stats))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        return BenchServer(port: channel.localAddress?.port ?? port, channel: channel, stats: stats)
    }

    private init(port: Int, channel: any Channel, stats: Stats) {
        self.port = port
        self.channel = channel
        self.stats = stats
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The latency a request asks for through its model name: `latN` means N milliseconds.
    /// Accepts both compact and Python-style (`"model": "lat50"`) JSON.
    static func latency(forBody body: [UInt8]) -> Duration? {
        let key = Array(#""model""#.utf8)
        var i = 0
        while i + key.count < body.count {
            guard body[i] == key[0], Array(body[i..<(i + key.count)]) == key else { i += 1; continue }
            var j = i + key.count
            while j < body.count, body[j] == 0x20 || body[j] == UInt8(ascii: ":") { j += 1 }
            guard j + 4 < body.count, body[j] == UInt8(ascii: "\""), Array(body[(j + 1)...(j + 3)]) == Array("lat".utf8) else { return nil }
            j += 4
            var ms = 0, digits = 0
            while j < body.count, body[j] >= 0x30, body[j] <= 0x39 {
                ms = ms * 10 + Int(body[j] - 0x30)
                j += 1
                digits += 1
            }
            return digits > 0 ? .milliseconds(ms) : nil
        }
        return nil
    }

    func stop() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // Sendable proof: NIO calls a handler only on its channel's event loop; the stored
        // properties are immutable.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let latency: Duration
        let stats: Stats

        init(latency: Duration, stats: Stats) {
            self.latency = latency
            self.stats = stats
        }

        private var uri = ""
        private var method: HTTPMethod = .GET
        private var body: [UInt8] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                uri = head.uri
                method = head.method
                body.removeAll(keepingCapacity: true)
                return
            case .body(let buffer):
                body.append(contentsOf: buffer.readableBytesView)
                return
            case .end:
                break
            }
            if uri.hasSuffix("/stats") {
                let json =
                    #"{"peak":\#(stats.peak.load(ordering: .relaxed)),"total":\#(stats.total.load(ordering: .relaxed)),"in_flight":\#(stats.inFlight.load(ordering: .relaxed))}"#
                write(context, json)
                return
            }
            if uri.hasSuffix("/reset") {
                stats.reset()
                write(context, #"{"ok":true}"#)
                return
            }
            let now = stats.inFlight.add(1, ordering: .relaxed).newValue
            stats.peak.max(now, ordering: .relaxed)
            stats.total.add(1, ordering: .relaxed)
            let delay = BenchServer.latency(forBody: body) ?? latency
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let respond: @Sendable () -> Void = { [stats] in
                stats.inFlight.subtract(1, ordering: .relaxed)
                Handler.write(bound.value, BenchServer.reply)
            }
            if delay > .zero {
                loop.scheduleTask(in: .nanoseconds(Int64(delay.components.seconds) * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000)) {
                    respond()
                }
            } else {
                respond()
            }
        }

        private func write(_ context: ChannelHandlerContext, _ text: String) { Handler.write(context, text) }

        static func write(_ context: ChannelHandlerContext, _ text: String) {
            let body = ByteBuffer(string: text)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
        }
    }
}
