import AsyncHTTPClient
public enum DSPyVersion { public static let string = "0.1.0" }
