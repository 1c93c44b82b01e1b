import Crypto
import OrderedCollections

/// The identity of an LM request, shared by the response cache and cassettes: the SHA-256 (hex)
/// of its canonical JSON — model, messages and every parameter with keys sorted, `rollout_id`
/// included — and never the API key. The response cache adds the server (`server:`), so two
/// servers with one model name never answer for each other (DSPy leaves it out); a cassette
/// does not, so a session recorded against one address replays against any.
package struct RequestKey: Sendable, Hashable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    package let hex: String

    package init(model: String, request: LMRequest, server: String? = nil) {
        var params = request.parameters
        params.removeAll { $0.value.isNull || LMRequest.isCredential($0.key) }
        params.sort { $0.key < $1.key }
        var fields: OrderedDictionary<String, Value> = [
            "model": .string(model), "messages": .array(request.messages.map(\.jsonValue)),
            "parameters": .object(params),
        ]
        if let server { fields["server"] = .string(server) }
        let doc = Value.object(fields)
        let digest = SHA256.hash(data: JSON.compactBytes(doc))
        hex = digest.map { byte in
            let h = String(byte, radix: 16)
            return byte < 16 ? "0" + h : h
        }.joined()
    }

    init(hex: String) { self.hex = hex }

    package var description: String { hex }
}
