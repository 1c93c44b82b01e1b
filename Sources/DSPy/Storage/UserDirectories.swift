import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Where per-user files live, resolved one way for everything the library and the shell keep
/// (the response cache, the history, the call log, the startup file): the XDG base directory
/// when its variable is an absolute path (the XDG spec says to ignore a relative one), else its
/// default under the home directory (`HOME`, or the password database when it is unset).
package enum UserDirectories {
    package enum Base: Sendable {
        /// `$XDG_DATA_HOME`, default `~/.local/share`.
        case data
        /// `$XDG_CONFIG_HOME`, default `~/.config`.
        case config
        /// `$XDG_CACHE_HOME`, default `~/.cache`.
        case cache

        var variable: String {
            switch self {
            case .data: return "XDG_DATA_HOME"
            case .config: return "XDG_CONFIG_HOME"
            case .cache: return "XDG_CACHE_HOME"
            }
        }

        var underHome: String {
            switch self {
            case .data: return ".local/share"
            case .config: return ".config"
            case .cache: return ".cache"
            }
        }
    }

    /// `relative` inside `base`; nil when neither the variable nor a home directory is known.
    package static func path(
        _ base: Base, _ relative: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let xdg = environment[base.variable], xdg.hasPrefix("/") { return join(xdg, relative) }
        guard let home = home(environment) else { return nil }
        return join(join(home, base.underHome), relative)
    }

    private static func home(_ environment: [String: String]) -> String? {
        if let home = environment["HOME"], !home.isEmpty { return home }
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        let home = String(cString: dir)
        return home.isEmpty ? nil : home
    }

    private static func join(_ a: String, _ b: String) -> String {
        a.hasSuffix("/") ? a + b : a + "/" + b
    }
}
