/// The library's version, and the Python DSPy release it follows.
public enum DSPyVersion {
    public static let string = "0.1.0"
    /// The Python DSPy release whose prompts, defaults and saved state this library matches.
    public static let compatibleDSPy = "3.4.1"
}
