import OrderedCollections

// Streaming (DSPy's `dspy.streamify` and `dspy.streaming.StreamListener`).
//
// `streamify(program, listeners:)` runs the program with a stream channel in its settings
// (`send_stream`). Every `Predict` marks itself as `caller_predict`; when a listener targets it
// (or there are no listeners), its LM call streams, and each text piece goes through the
// channel, where that call's listeners cut their fields out of it. Each streamified call has
// its own channel and each LM call its own id, so parallel streams never mix.

/// A piece of one output field's text, as a ``StreamListener`` cut it from a streaming LM reply
/// (DSPy's `StreamResponse`).
public struct StreamResponse: Sendable, Hashable, CustomStringConvertible {
    /// The predictor's path in the program (`self`, `cot.predict`), or the listener's `predictName`.
    public let predictName: String
    /// The output field this text belongs to (DSPy's `signature_field_name`).
    public let fieldName: String
    /// The text; the chunks of one field concatenate to the field's value.
    public let chunk: String
    /// True for the field's final chunk (which may be empty).
    public let isLastChunk: Bool
    /// Identifies the LM call (one streamed request) the chunk came from.
    public let callID: String

    public init(predictName: String, fieldName: String, chunk: String, isLastChunk: Bool, callID: String) {
        self.predictName = predictName
        self.fieldName = fieldName
        self.chunk = chunk
        self.isLastChunk = isLastChunk
        self.callID = callID
    }

    public var description: String {
        "StreamResponse(predict_name=\(predictName), signature_field_name=\(fieldName), chunk=\(Value.string(chunk).pythonRepr), is_last_chunk=\(isLastChunk ? "True" : "False"))"
    }
}

/// A raw piece of LM text, sent when a program is streamified without listeners (DSPy passes
/// the provider's chunks through then).
public struct LMStreamChunk: Sendable, Hashable {
    /// The calling predictor's path in the program, when the call came from one.
    public let predictName: String?
    public let text: String
    /// Identifies the LM call the text came from.
    public let callID: String
}

/// What a streamified program's stream yields, in arrival order.
public enum StreamEvent: Sendable, CustomStringConvertible {
    /// A piece of a listened-to output field.
    case chunk(StreamResponse)
    /// A status message (by default around tool calls: `Calling tool add...`).
    case status(String)
    /// Raw LM text, only when the program was streamified without listeners.
    case lmChunk(LMStreamChunk)
    /// The program's result, always last.
    case prediction(Prediction)

    public var description: String {
        switch self {
        case .chunk(let r): return r.description
        case .status(let s): return "StatusMessage(message=\(Value.string(s).pythonRepr))"
        case .lmChunk(let c): return "LMStreamChunk(\(Value.string(c.text).pythonRepr))"
        case .prediction(let p): return p.description
        }
    }
}

/// Watches a streaming LM reply for one output field and emits its text as it arrives
/// (DSPy's `dspy.streaming.StreamListener`). Without `predict` it binds to the program's only
/// predictor that has this output field.
public struct StreamListener: Sendable {
    /// The output field to stream (DSPy's `signature_field_name`).
    public let fieldName: String
    /// The predictor to listen to; `nil` picks the unique predictor with this output field.
    public let predict: Predict?
    /// The name chunks carry; defaults to the predictor's path in the program.
    public let predictName: String?
    /// Keep listening after the field has streamed once (for predictors called in a loop, like
    /// ReAct's); otherwise later calls are ignored.
    public let allowReuse: Bool

    public init(fieldName: String, predict: Predict? = nil, predictName: String? = nil, allowReuse: Bool = false) {
        self.fieldName = fieldName
        self.predict = predict
        self.predictName = predictName
        self.allowReuse = allowReuse
    }
}

/// A streaming setup that cannot work (DSPy raises `ValueError` for these).
public struct StreamingError: DSPyError {
    /// Why the listeners cannot be attached.
    public enum Kind: String, Sendable {
        /// Several predictors have the listened field: name the predictor.
        case ambiguousField
        /// No predictor in the program has the listened field.
        case unknownField
        /// The adapter cannot stream fields (only ChatAdapter and JSONAdapter can).
        case unsupportedAdapter
    }
    public let kind: Kind
    public let summary: String

    public init(_ kind: Kind, _ summary: String) {
        self.kind = kind
        self.summary = summary
    }

    public var hints: [String] { [] }
    public var code: String { kind.rawValue }
}

/// Chooses the status messages a stream carries (DSPy's `StatusMessageProvider`). Return `nil`
/// for no message. By default only tool calls produce messages.
public protocol StatusMessageProvider: Sendable {
    func toolStartStatusMessage(tool: String, arguments: Inputs) -> String?
    func toolEndStatusMessage(tool: String, result: Value?) -> String?
    func moduleStartStatusMessage(module: any Module, inputs: Inputs) -> String?
    func moduleEndStatusMessage(module: any Module, outputs: Prediction?) -> String?
    func lmStartStatusMessage(lm: LM, messages: [Message]) -> String?
    func lmEndStatusMessage(outputs: [String]?) -> String?
}

extension StatusMessageProvider {
    public func toolStartStatusMessage(tool: String, arguments: Inputs) -> String? { "Calling tool \(tool)..." }
    public func toolEndStatusMessage(tool: String, result: Value?) -> String? {
        "Tool calling finished! Querying the LLM with tool calling results..."
    }
    public func moduleStartStatusMessage(module: any Module, inputs: Inputs) -> String? { nil }
    public func moduleEndStatusMessage(module: any Module, outputs: Prediction?) -> String? { nil }
    public func lmStartStatusMessage(lm: LM, messages: [Message]) -> String? { nil }
    public func lmEndStatusMessage(outputs: [String]?) -> String? { nil }
}

/// DSPy's default status messages: `Calling tool NAME...` and `Tool calling finished! ...`.
public struct DefaultStatusMessageProvider: StatusMessageProvider {
    public init() {}
}

/// Makes `program` stream (DSPy's `dspy.streamify`): the result takes the program's inputs and
/// returns an async stream of listened field chunks, status messages and finally the
/// ``Prediction``.
///
///     let stream = try streamify(qa, listeners: [StreamListener(fieldName: "answer")])
///     for try await event in stream(question: "Why is the sky blue?") {
///         if case .chunk(let c) = event { print(c.chunk, terminator: "") }
///     }
///
/// - Parameters:
///   - listeners: fields to stream; with none, raw LM text arrives as ``StreamEvent/lmChunk(_:)``.
///   - includeFinalPrediction: yield the ``Prediction`` at the end. Even when false it is
///     yielded if there are no listeners or no listener saw its field (a cache hit, say).
///   - statusMessages: the status message provider; `nil` sends none.
/// - Throws: ``StreamingError`` when a listener's field is on no predictor, or on several.
public func streamify(
    _ program: any Module, listeners: [StreamListener] = [], includeFinalPrediction: Bool = true,
    statusMessages: (any StatusMessageProvider)? = DefaultStatusMessageProvider()
) throws -> StreamifiedProgram {
    let predictors = program.namedPredictors
    var bound: [BoundListener] = []
    for l in listeners {
        if let p = l.predict {
            let name = l.predictName ?? predictors.first { $0.predictor === p }?.name ?? "self"
            bound.append(BoundListener(listener: l, predict: p, predictName: name))
            continue
        }
        let matches = predictors.filter { $0.predictor.signature.outputFields.contains { $0.name == l.fieldName } }
        if matches.count > 1 {
            throw StreamingError(
                .ambiguousField,
                "Signature field \(l.fieldName) is not unique in the program, cannot automatically determine which predictor to use for streaming. Please specify the predictor to listen to."
            )
        }
        guard let match = matches.first else {
            throw StreamingError(
                .unknownField,
                "Signature field \(l.fieldName) is not a field of any predictor in the program, cannot automatically determine which predictor to use for streaming. Please verify your field name or specify the predictor to listen to."
            )
        }
        bound.append(BoundListener(listener: l, predict: match.predictor, predictName: l.predictName ?? match.name))
    }
    var names: [ObjectIdentifier: String] = [:]
    for (name, p) in predictors where names[ObjectIdentifier(p)] == nil { names[ObjectIdentifier(p)] = name }
    return StreamifiedProgram(
        program: program, listeners: bound, predictNames: names, includeFinalPrediction: includeFinalPrediction,
        statusMessages: statusMessages)
}

/// A program made streamable by ``streamify(_:listeners:includeFinalPrediction:statusMessages:)``.
/// Call it like the program (`stream(question: "...")`, or `stream.call(inputs)`); each call starts a run and returns its own stream.
@dynamicCallable
public struct StreamifiedProgram: Sendable {
    public let program: any Module
    let listeners: [BoundListener]
    let predictNames: [ObjectIdentifier: String]
    let includeFinalPrediction: Bool
    let statusMessages: (any StatusMessageProvider)?

    /// Starts the program with `inputs` in the caller's settings. The stream ends after the
    /// ``Prediction``, or with the program's error (a stream that broke mid-way ends with an
    /// ``LMError`` of kind `.streamInterrupted`). Ending the iteration early, or cancelling the
    /// consuming task, cancels the program and its HTTP request.
    public func call(_ inputs: Inputs) -> AsyncThrowingStream<StreamEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, any Error>.makeStream()
        let channel = StreamChannel(listeners: listeners, predictNames: predictNames, continuation: continuation)
        let program = self.program
        let includeFinal = includeFinalPrediction || listeners.isEmpty
        let provider = statusMessages
        let listenerValues: [any Sendable] = listeners.map(\.listener)
        // A child of the caller's task context: it inherits the caller's settings scope.
        let task = Task {
            do {
                let settings = Settings.current
                var callbacks = settings.callbacks
                if let provider, !callbacks.contains(where: { $0 is StatusStreamingCallback }) {
                    callbacks.append(StatusStreamingCallback(channel: channel, provider: provider))
                }
                let scope: [String: any Sendable] = ["send_stream": channel, "stream_listeners": listenerValues, "callbacks": callbacks]
                let prediction = try await settings.withOverrides(scope) { try await program.call(inputs) }
                if includeFinal || !channel.anyFieldStarted { continuation.yield(.prediction(prediction)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// `stream(question: "...")`: keyword arguments become the inputs.
    public func dynamicallyCall(withKeywordArguments args: KeyValuePairs<String, any ValueConvertible>) -> AsyncThrowingStream<StreamEvent, any Error>
    {
        var inputs = Inputs()
        for (k, v) in args { inputs[k] = v.dspyValue }
        return call(inputs)
    }
}

struct BoundListener: Sendable {
    let listener: StreamListener
    let predict: Predict
    let predictName: String
}

/// One streamified call's sink, stored in the settings as `send_stream`.
final class StreamChannel: Sendable {
    let listeners: [BoundListener]
    let predictNames: [ObjectIdentifier: String]
    let continuation: AsyncThrowingStream<StreamEvent, any Error>.Continuation
    private struct State {
        /// Listeners (by index) that streamed their field and do not allow reuse.
        var used: Set<Int> = []
        var anyFieldStarted = false
    }
    private let state = Locked(State())

    init(listeners: [BoundListener], predictNames: [ObjectIdentifier: String], continuation: AsyncThrowingStream<StreamEvent, any Error>.Continuation)
    {
        self.listeners = listeners
        self.predictNames = predictNames
        self.continuation = continuation
    }

    /// True once a listener saw its field begin.
    var anyFieldStarted: Bool { state.withLock { $0.anyFieldStarted } }

    /// The channel of the current settings, if a streamified call is running.
    static var current: StreamChannel? { Settings.current.get("send_stream", as: StreamChannel.self) }

    /// A new LM call from `predict`, or nil when nobody listens to it (then it does not stream,
    /// as in DSPy: with listeners, only the predictors they target stream).
    func beginCall(predict: Predict?, messages: [Message], adapter: (any Adapter)?) throws -> StreamCall? {
        if listeners.isEmpty {
            return StreamCall(id: CallID.make(), channel: self, predictName: predict.flatMap { predictNames[ObjectIdentifier($0)] }, matchers: [])
        }
        guard let predict else { return nil }
        let targeted = listeners.indices.filter { listeners[$0].predict === predict }
        guard !targeted.isEmpty else { return nil }
        if let adapter, !(adapter is ChatAdapter), !(adapter is JSONAdapter) {
            throw StreamingError(
                .unsupportedAdapter,
                "Unsupported adapter for streaming: \(adapter.name), please use one of the following adapters: ChatAdapter, JSONAdapter")
        }
        // The request's own instructions say which format the reply is in (ChatAdapter falls
        // back to JSON on a parse failure).
        let json = RequestedFormat(messages).json
        let active = state.withLock { s in targeted.filter { !s.used.contains($0) } }
        guard !active.isEmpty else { return nil }
        let matchers = active.map { (index: $0, matcher: FieldStreamMatcher(field: listeners[$0].listener.fieldName, json: json)) }
        return StreamCall(id: CallID.make(), channel: self, predictName: predictNames[ObjectIdentifier(predict)], matchers: matchers)
    }

    fileprivate func fieldStarted() { state.withLock { $0.anyFieldStarted = true } }

    fileprivate func fieldEnded(listener index: Int) {
        guard !listeners[index].listener.allowReuse else { return }
        state.withLock { _ = $0.used.insert(index) }
    }

    func yield(_ event: StreamEvent) { continuation.yield(event) }
}

/// One streamed LM call: runs its listeners over the text pieces and forwards what they cut.
final class StreamCall: Sendable {
    let id: String
    let channel: StreamChannel
    let predictName: String?
    private struct State {
        var matchers: [(index: Int, matcher: FieldStreamMatcher)]
        var receivedCharacters = 0
        var eventsSent = 0
    }
    private let state: Locked<State>

    init(id: String, channel: StreamChannel, predictName: String?, matchers: [(index: Int, matcher: FieldStreamMatcher)]) {
        self.id = id
        self.channel = channel
        self.predictName = predictName
        state = Locked(State(matchers: matchers))
    }

    /// Events this call has put on the consumer's stream; once there are any, a failure can no
    /// longer be retried invisibly.
    var eventsSent: Int { state.withLock { $0.eventsSent } }
    var receivedCharacters: Int { state.withLock { $0.receivedCharacters } }

    /// The next piece of the reply. Events are yielded under the lock, so they keep their order.
    func send(_ text: String) {
        state.withLock { s in
            s.receivedCharacters += text.count
            if s.matchers.isEmpty && channel.listeners.isEmpty {
                channel.yield(.lmChunk(LMStreamChunk(predictName: predictName, text: text, callID: id)))
                s.eventsSent += 1
                return
            }
            for i in s.matchers.indices {
                let wasSeeking = s.matchers[i].matcher.phase == .seeking
                let pieces = s.matchers[i].matcher.feed(text)
                emit(pieces, matcher: s.matchers[i], wasSeeking: wasSeeking, sent: &s.eventsSent)
            }
        }
    }

    /// The reply is complete: fields still open end here.
    func finish() {
        state.withLock { s in
            for i in s.matchers.indices {
                let wasSeeking = s.matchers[i].matcher.phase == .seeking
                let pieces = s.matchers[i].matcher.finish()
                emit(pieces, matcher: s.matchers[i], wasSeeking: wasSeeking, sent: &s.eventsSent)
            }
        }
    }

    private func emit(_ pieces: [(String, Bool)], matcher m: (index: Int, matcher: FieldStreamMatcher), wasSeeking: Bool, sent: inout Int) {
        if wasSeeking && m.matcher.phase != .seeking { channel.fieldStarted() }
        let bound = channel.listeners[m.index]
        for (text, last) in pieces {
            channel.yield(
                .chunk(
                    StreamResponse(
                        predictName: bound.predictName, fieldName: bound.listener.fieldName, chunk: text,
                        isLastChunk: last, callID: id)))
            sent += 1
            if last { channel.fieldEnded(listener: m.index) }
        }
    }
}

/// Turns tool (and, if the provider wants, module and LM) callbacks into status messages.
final class StatusStreamingCallback: Callback {
    let channel: StreamChannel
    let provider: any StatusMessageProvider
    /// Open tool and module calls by call id, for the end messages.
    private let open = Locked<[String: OpenCall]>([:])
    private enum OpenCall { case tool(String), module(any Module) }

    init(channel: StreamChannel, provider: any StatusMessageProvider) {
        self.channel = channel
        self.provider = provider
    }

    private func send(_ message: String?) {
        if let message { channel.yield(.status(message)) }
    }

    func onToolStart(_ call: CallInfo, tool: String, arguments: Inputs) {
        guard tool != "finish" else { return }  // ReAct's finish tool is silent, as in DSPy
        open.withLock { $0[call.id] = .tool(tool) }
        send(provider.toolStartStatusMessage(tool: tool, arguments: arguments))
    }

    func onToolEnd(_ call: CallInfo, result: Value?, error: (any Error)?) {
        guard case .tool(let name)? = open.withLock({ $0.removeValue(forKey: call.id) }) else { return }
        send(provider.toolEndStatusMessage(tool: name, result: result))
    }

    func onModuleStart(_ call: CallInfo, module: any Module, inputs: Inputs) {
        open.withLock { $0[call.id] = .module(module) }
        send(provider.moduleStartStatusMessage(module: module, inputs: inputs))
    }

    func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?) {
        guard case .module(let module)? = open.withLock({ $0.removeValue(forKey: call.id) }) else { return }
        send(provider.moduleEndStatusMessage(module: module, outputs: outputs))
    }

    func onLMStart(_ call: CallInfo, lm: LM, messages: [Message], parameters: OrderedDictionary<String, Value>) {
        send(provider.lmStartStatusMessage(lm: lm, messages: messages))
    }

    func onLMEnd(_ call: CallInfo, outputs: [String]?, error: (any Error)?) {
        send(provider.lmEndStatusMessage(outputs: outputs))
    }
}

extension Predict {
    /// Runs `body` as this predictor's LM work: inside a streamified call it marks this
    /// predictor as `caller_predict`, which LM calls use to decide whether to stream.
    func asStreamCaller<R>(_ body: () async throws -> R) async rethrows -> R {
        guard StreamChannel.current != nil else { return try await body() }
        return try await Settings.current.withOverrides(["caller_predict": self], body)
    }
}

extension LM {
    /// The backend call of ``forward(_:useCache:)``: streamed when a streamified call listens
    /// to the calling predictor, plain otherwise. A stream that fails after it delivered
    /// something ends with `.streamInterrupted`, which is not retried.
    func callBackend(_ wire: LMRequest) async throws -> LMResponse {
        let clock = Settings.current.clock
        // Straight to the backend when nobody streams and the gate need not hold the request.
        if StreamChannel.current == nil && gate.admitsNow(clock: clock) { return try await backend.complete(wire, timeout: timeout) }
        return try await callBackendHeld(wire, clock: clock)
    }

    /// ``callBackend(_:)`` when a stream listens or the gate makes the request wait.
    @inline(never)
    private func callBackendHeld(_ wire: LMRequest, clock: any WaitClock) async throws -> LMResponse {
        let settings = Settings.current
        guard let channel = StreamChannel.current,
            let call = try channel.beginCall(
                predict: settings.get("caller_predict", as: Predict.self), messages: wire.messages,
                adapter: settings.adapter)
        else {
            return try await gate.pass(clock: clock) { try await backend.complete(wire, timeout: timeout) }
        }
        return try await stream(wire, to: call, clock: clock)
    }

    /// A request streamed to a `streamify` caller: each chunk goes to `call` as it arrives.
    @inline(never)
    private func stream(_ wire: LMRequest, to call: StreamCall, clock: any WaitClock) async throws -> LMResponse {
        let response: LMResponse
        do {
            response = try await gate.pass(clock: clock) { try await backend.stream(wire, timeout: timeout) { call.send($0) } }
        } catch let error as LMError where call.eventsSent > 0 {
            throw LMError(
                .streamInterrupted,
                "The streamed response broke after \(call.receivedCharacters) characters had arrived (\(call.eventsSent) chunks were delivered): \(error.message)",
                model: error.model ?? model, status: error.status, requestID: error.requestID,
                hint:
                    "It is not retried, because the delivered chunks cannot be taken back. Call the program again to start over; the partial reply was not cached."
            )
        }
        call.finish()
        return response
    }
}

extension SettingKey where Value == (any Sendable)? {
    /// Where `streamify` sends chunks (`send_stream`); set by `streamify`.
    public static var sendStream: SettingKey {
        SettingKey("send_stream", summary: "where streamify sends chunks (set by streamify)", default: { nil }, check: .any)
    }
}

extension SettingKey where Value == [any Sendable] {
    /// The listeners of a `streamify` run (`stream_listeners`).
    public static var streamListeners: SettingKey {
        SettingKey("stream_listeners", summary: "the listeners of a streamify run", default: { [] }, check: .any)
    }
}
