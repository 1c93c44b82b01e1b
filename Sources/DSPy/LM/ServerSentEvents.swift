/// One server-sent event: its `event:` name (empty when the server sent none), its data
/// (multi-line `data:` fields joined with `\n`) and its `id:`, if any.
public struct ServerSentEvent: Sendable, Hashable, CustomStringConvertible {
    /// The `event:` field; empty means the default type (`message`).
    public var event: String
    /// The `data:` lines of the event joined with `\n`.
    public var data: String
    /// The last `id:` field seen, if any.
    public var id: String?

    public init(event: String = "", data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// True for OpenAI's end-of-stream sentinel, `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }

    public var description: String { (event.isEmpty ? "" : "event: \(event)\n") + "data: \(data)" }
}

/// An incremental `text/event-stream` parser (the WHATWG rules). Feed it bytes as they arrive,
/// in pieces of any size: a line, a `\r\n` pair or a UTF-8 sequence split between reads is
/// reassembled, because lines are cut on bytes and decoded only once complete.
package struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    /// The previous byte was `\r`, so a `\n` that comes next belongs to the same line end.
    private var afterCR = false
    private var sawFirstLine = false
    private var eventName = ""
    private var data: [UInt8] = []
    private var hasData = false
    private var lastID: String?

    package init() {}

    /// Consumes `bytes` and returns the events they completed, in order.
    package mutating func feed<S: Sequence>(_ bytes: S) -> [ServerSentEvent] where S.Element == UInt8 {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                endLine(into: &events)
            case 0x0A:
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the input. A final event whose lines all ended but which lacks its blank line is
    /// returned (servers that close right after their last `data:` line); a line cut short is
    /// dropped, so a stream cut mid-line never looks complete. Whoever reads the event still
    /// checks that its data is whole (a JSON chunk split over `data:` lines, say).
    package mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if line.isEmpty { dispatch(into: &events) }
        line = []
        data = []
        hasData = false
        eventName = ""
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        var bytes = line[...]
        if !sawFirstLine {
            sawFirstLine = true
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }  // a byte order mark
        }
        if bytes.isEmpty {
            dispatch(into: &events)
            return
        }
        if bytes.first == 0x3A { return }  // ":" starts a comment (servers send them as keep-alives)
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = bytes.firstIndex(of: 0x3A) {
            field = bytes[..<colon]
            value = bytes[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        } else {
            field = bytes
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            eventName = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastID = String(decoding: value, as: UTF8.self) }
        default:
            break  // `retry:` and unknown fields are ignored
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventName = ""
        }
        guard hasData else { return }
        events.append(ServerSentEvent(event: eventName, data: String(decoding: data, as: UTF8.self), id: lastID))
    }
}
