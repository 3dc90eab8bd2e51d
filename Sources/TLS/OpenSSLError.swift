internal import COpenSSL

/// Reads OpenSSL's thread-local error queue.
enum OpenSSLError {
    /// Drains the queue into one line of reasons ("no start line; PEM lib"), or `fallback` when it is empty.
    static func drain(fallback: String = "unknown OpenSSL error") -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                let text = String(cString: reason)
                if !reasons.contains(text) { reasons.append(text) }
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reasons.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            }
        }
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }
}
