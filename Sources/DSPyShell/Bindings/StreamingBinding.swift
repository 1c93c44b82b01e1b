import DSPy
import PythonInterpreter

/// Hands the events of one streamed run to Python, one `__anext__` at a time: a task reads
/// the stream into a buffer, and `next()` takes from it (waiting while it is empty).
final class StreamPump: Sendable {
    private struct State {
        var buffer: [StreamEvent] = []
        var finished: Result<Void, any Error>?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Locked(State())
    private let reader: Task<Void, Never>

    init(_ stream: AsyncThrowingStream<StreamEvent, any Error>) {
        let state = self.state
        reader = Task {
            var result: Result<Void, any Error> = .success(())
            do {
                for try await event in stream {
                    let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                        s.buffer.append(event)
                        defer { s.waiters = [] }
                        return s.waiters
                    }
                    for w in waiters { w.resume() }
                }
            } catch {
                result = .failure(error)
            }
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.finished = result
                defer { s.waiters = [] }
                return s.waiters
            }
            for w in waiters { w.resume() }
        }
    }

    deinit { reader.cancel() }

    func next() async throws -> StreamEvent? {
        while true {
            try Task.checkCancellation()
            let ready: Result<StreamEvent?, any Error>? = state.withLock { s in
                if !s.buffer.isEmpty { return .success(s.buffer.removeFirst()) }
                if let f = s.finished {
                    switch f {
                    case .success: return .success(nil)
                    case .failure(let e): return .failure(e)
                    }
                }
                return nil
            }
            if let ready { return try ready.get() }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !s.buffer.isEmpty || s.finished != nil { return true }
                    s.waiters.append(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }
}

/// The async generator `streamify(program)(...)` returns (`async for chunk in output:`).
final class StreamObject: PyNativeObject<StreamPump>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ pump: StreamPump) { super.init(type: StreamingBinding.streamType, payload: pump) }
}

final class StreamListenerObject: PyNativeObject<StreamListener>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ l: StreamListener) { super.init(type: DSPyTypes.streamListener, payload: l) }
}

enum StreamingBinding {
    static let streamType = Builtins.makeType("async_generator", module: "dspy.streaming", native: .init(subclassable: false)) { t in
        t.method("__aiter__") { _, me, _ in me }
        t.method("__anext__") { _, me, _ in
            guard let pump = me.as(StreamObject.self)?.payload else { return .none }
            return .object(
                PyNativeAwaitable(
                    name: "__anext__", work: { try await pump.next().map(ScopedEvent.init) ?? ScopedEvent(nil) },
                    convert: { _, r in
                        guard let event = (r as? ScopedEvent)?.event else { throw PyError(PyExceptionObject(cls: Builtins.stopAsyncIterationType)) }
                        return python(event)
                    }))
        }
        t.method("__iter__") { _, me, _ in me }
        t.method("__next__") { ctx, me, _ in
            guard let pump = me.as(StreamObject.self)?.payload else { return .none }
            guard let event = try ctx.dspy({ try await pump.next().map(ScopedEvent.init) ?? ScopedEvent(nil) }).event else {
                throw PyError.stopIteration()
            }
            return python(event)
        }
    }

    struct ScopedEvent: Sendable {
        let event: StreamEvent?
        init(_ event: StreamEvent?) { self.event = event }
    }

    static let responseType = Builtins.makeType("StreamResponse", module: "dspy.streaming.messages") { t in
        t.method("__repr__") { ctx, me, _ in
            guard case .object(let o) = me, let d = o.instanceDict else { return .str("StreamResponse()") }
            let parts = try ["predict_name", "signature_field_name", "chunk", "is_last_chunk"].map {
                "\($0)=\(try ctx.repr(d.getString($0) ?? .none))"
            }
            return .str("StreamResponse(" + parts.joined(separator: ", ") + ")")
        }
    }

    static let statusType = Builtins.makeType("StatusMessage", module: "dspy.streaming.messages") { t in
        t.method("__repr__") { ctx, me, _ in
            guard case .object(let o) = me, let d = o.instanceDict else { return .str("StatusMessage()") }
            return .str("StatusMessage(message=\(try ctx.repr(d.getString("message") ?? .none)))")
        }
    }

    static func python(_ event: StreamEvent) -> PyValue {
        switch event {
        case .chunk(let c):
            let o = PyInstance(cls: responseType)
            o.dict.setString("predict_name", .str(c.predictName))
            o.dict.setString("signature_field_name", .str(c.fieldName))
            o.dict.setString("chunk", .str(c.chunk))
            o.dict.setString("is_last_chunk", .bool(c.isLastChunk))
            return .object(o)
        case .status(let message):
            let o = PyInstance(cls: statusType)
            o.dict.setString("message", .str(message))
            return .object(o)
        case .lmChunk(let c):
            return .str(c.text)
        case .prediction(let p):
            return .object(RecordObject.prediction(p))
        }
    }

    static func streamify(_ ctx: ExecContext, _ a: Args) throws -> PyValue {
        let p = try a.bind(
            "streamify",
            [
                "program", "status_message_provider", "stream_listeners", "include_final_prediction_in_output_stream",
                "is_async_program", "async_streaming",
            ], required: 1)
        let program = try ModuleBinding.object(p[0] ?? .none)
        let listeners =
            try ctx.optional(p[2]).map {
                try ctx.iterateToArray($0).map { v -> StreamListener in
                    guard let l = v.as(StreamListenerObject.self) else {
                        throw PyError.type("stream_listeners must be dspy.streaming.StreamListener objects")
                    }
                    return l.payload
                }
            } ?? []
        let includeFinal = try p[3].map { try ctx.truthy($0) } ?? true
        let streamed: StreamifiedProgram
        do {
            streamed = try DSPy.streamify(program.peer, listeners: listeners, includeFinalPrediction: includeFinal)
        } catch {
            throw DSPyErrors.python(error)
        }
        return .object(
            PyBuiltinFunction("streamify(\(program.type.name))", signature: "(**kwargs)") { ctx, args in
                let inputs = try Convert.inputs(ctx, args.keywords)
                let stream = try ctx.dspy { streamed.call(inputs) }
                return .object(StreamObject(StreamPump(stream)))
            })
    }

    static func installListener(_ t: PyType) {
        t.doc = "Streams one output field: dspy.streaming.StreamListener(signature_field_name=\"answer\")."
        t.native.construct = { ctx, _, a in
            let p = try a.bind("StreamListener", ["signature_field_name", "predict", "predict_name", "allow_reuse"], required: 1)
            let field = try ctx.strArg(p[0] ?? .none, "StreamListener", "argument 'signature_field_name'")
            let predict = try ctx.optional(p[1]).map { v -> Predict in
                guard let pr = try ModuleBinding.object(v).peer as? Predict else { throw PyError.type("predict must be a dspy.Predict") }
                return pr
            }
            let name = try ctx.optional(p[2]).map { try ctx.str($0) }
            let reuse = try p[3].map { try ctx.truthy($0) } ?? false
            return .object(StreamListenerObject(StreamListener(fieldName: field, predict: predict, predictName: name, allowReuse: reuse)))
        }
    }
}
