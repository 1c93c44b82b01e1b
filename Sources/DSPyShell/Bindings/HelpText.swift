import DSPy
import PythonInterpreter

/// `help(x)`, `x?` and `%help x` for DSPy objects: a module's signature with fields, types,
/// descriptions, instructions, demos and LM; an LM's model and knobs; a signature's fields.
/// Everything else gets the interpreter's help (signatures and docstrings).
enum HelpText {
    static func describe(_ ctx: ExecContext, _ v: PyValue) throws -> String? {
        if let m = v.as(ModuleObject.self) { return try module(ctx, m) }
        if let lm = v.as(LMObject.self)?.payload {
            var s = "\(lm.description): a language model client\n"
            s += "  model: \(lm.model)\n"
            if !lm.kwargs.isEmpty { s += "  parameters: " + lm.kwargs.map { "\($0.key)=\($0.value.pythonRepr)" }.joined(separator: ", ") + "\n" }
            s += "  api key: \(lm.hasAPIKey ? "set (never shown)" : "none")\n"
            s += "  calls so far: \(lm.history.count)\n"
            s += "Call it directly (lm(\"prompt\")), or configure(lm=...) it for modules.\n"
            return s
        }
        if case .object(let t as PyType) = v, let info = SignatureBinding.info(t), t !== DSPyTypes.signature {
            return signature(info.signature, title: "Signature \(info.className)")
        }
        if let tool = v.as(ToolObject.self)?.payload {
            return "Tool \(tool.name)\n  \(tool.desc ?? "(no description)")\n  arguments: \(Value.object(tool.args).pythonRepr)\n"
        }
        return nil
    }

    static func signature(_ s: Signature, title: String) -> String {
        var out = "\(title): \(s.signatureString)\n"
        out += "  instructions: \(s.instructions)\n"
        for f in s.fields {
            out += "  \(f.kind == .input ? "input " : "output") \(f.name): \(f.type.pythonName)"
            if let d = f.description { out += " — \(d)" }
            out += "\n"
        }
        return out
    }

    static func module(_ ctx: ExecContext, _ m: ModuleObject) throws -> String {
        var out = ""
        let predictors = try ModuleBinding.namedPredictors(ctx, m)
        out += "\(m.type.name) module" + (m.type.doc.map { ": " + Help.firstLine($0) } ?? "") + "\n"
        for (name, p) in predictors {
            guard let predict = p.peer as? Predict else { continue }
            out +=
                signature(predict.signature, title: "\(name) (\(p.type.name))").split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
                + "\n"
            out += "    demos: \(predict.demos.count)\n"
            out += "    lm: \(predict.lm?.description ?? "the configured one")\n"
        }
        if m.peer is PythonModule {
            let methods = ["forward", "aforward"].filter { m.type.lookup($0)?.as(PyFunction.self) != nil }
            out += "  defines: \(methods.isEmpty ? "(no forward yet)" : methods.joined(separator: ", "))\n"
        }
        out += "Call it with keyword arguments; .acall(...) is the awaitable form; .batch([...]) runs many.\n"
        return out
    }
}
