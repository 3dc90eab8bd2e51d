/// The hosts(5) file, parsed without NSS: the server binary is static, so a backend named in the
/// passwd-file's `host=` field is looked up here, or given as a numeric address.
///
/// Format: one address per line followed by its names, `#` starts a comment, fields are separated by
/// blanks or tabs. The first line that names the host wins, as with glibc's `files` source.
public struct HostsFile: Sendable {
    /// (address, names) in file order.
    public private(set) var entries: [(address: String, names: [String])] = []

    public init(parsing text: some Collection<UInt8>) {
        var line: [UInt8] = []
        for byte in text {
            if byte == UInt8(ascii: "\n") {
                addLine(line)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        addLine(line)
    }

    private mutating func addLine(_ raw: [UInt8]) {
        let content =
            raw.split(separator: UInt8(ascii: "#"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let fields = content.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            .map { String(decoding: $0, as: UTF8.self) }
        guard fields.count >= 2 else { return }
        entries.append((fields[0], Array(fields.dropFirst())))
    }

    /// The first address listed for `name` (case-insensitive, as DNS names are), or nil.
    public func address(for name: String) -> String? {
        let wanted = name.lowercased()
        for entry in entries where entry.names.contains(where: { $0.lowercased() == wanted }) {
            return entry.address
        }
        return nil
    }
}
