internal import CCrypt

/// The two libcrypt calls we use, wrapped: `crypt_rn` (thread-safe, our own work area) and `crypt_gensalt_rn`.
enum Crypt {
    /// The crypt(3) string for `phrase` under `setting` (a salt or a whole hash), or nil when libcrypt refuses
    /// the setting. `phrase` must not contain NUL.
    static func hash(_ phrase: [UInt8], setting: String) -> String? {
        // crypt_data is ~32 KiB: keep it off the stack, and wipe it afterwards (it held the password).
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        var cPhrase = phrase.map { CChar(bitPattern: $0) }
        cPhrase.append(0)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            data.deallocate()
            for index in cPhrase.indices { cPhrase[index] = 0 }
        }
        let result = setting.withCString { cSetting in
            crypt_rn(cPhrase, cSetting, data, Int32(size))
        }
        guard let result else { return nil }
        let text = String(cString: result)
        // libxcrypt may return a failure token starting with "*" instead of NULL.
        guard !text.isEmpty, !text.hasPrefix("*") else { return nil }
        return text
    }

    /// A fresh setting string for `prefix` (`$6$`, `$y$`, …); `count` 0 means libcrypt's default cost.
    /// The salt's random bytes come from the system RNG (libcrypt reads getentropy itself when given none).
    static func makeSetting(prefix: String, count: UInt = 0) -> String? {
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let result = prefix.withCString { cPrefix in
            output.withUnsafeMutableBufferPointer { buffer in
                crypt_gensalt_rn(cPrefix, count, nil, 0, buffer.baseAddress, Int32(buffer.count))
            }
        }
        guard result != nil else { return nil }
        let text = String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard !text.isEmpty, !text.hasPrefix("*") else { return nil }
        return text
    }

    /// False when libcrypt does not recognise `hash` as one of its formats (so it can never verify).
    static func isKnownFormat(_ hash: String) -> Bool {
        hash.withCString { crypt_checksalt($0) } != CRYPT_SALT_INVALID
    }
}
