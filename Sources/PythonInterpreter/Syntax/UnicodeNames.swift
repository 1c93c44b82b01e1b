import Synchronization

/// Character names for `\N{...}` escapes (and `unicodedata`-style lookups), built from the
/// Unicode data Swift ships, the first time a name is looked up.
enum UnicodeNames {
    private static let table = Guarded<[String: Unicode.Scalar]?>(nil)

    /// The scalar with this name or name alias (case-insensitive, as CPython's lookup is).
    static func scalar(named name: String) -> Unicode.Scalar? {
        let key = name.uppercased()
        return table.withLock { cached in
            if cached == nil { cached = build() }
            return cached?[key]
        }
    }

    private static func build() -> [String: Unicode.Scalar] {
        var out: [String: Unicode.Scalar] = [:]
        out.reserveCapacity(160_000)
        for ranges in [0...0x3FFFF, 0xE0000...0xE01EF] {
            for v in ranges {
                guard let scalar = Unicode.Scalar(UInt32(v)) else { continue }
                if let n = scalar.properties.name { out[n] = scalar }
                if let alias = scalar.properties.nameAlias, out[alias] == nil { out[alias] = scalar }
            }
        }
        return out
    }
}
