internal import CCrypt

/// The libcrypt (libxcrypt) this executable was built against. libxcrypt has no run-time version call; the
/// release server links its static archive, so the header's version is the one linked in.
public enum CryptVersion {
    public static var text: String { "libxcrypt \(XCRYPT_VERSION_STR)" }
}
