// RFC 4790 §9.1 (comparator-i;ascii-numeric)
struct ComparatorAsciiNumeric: SieveExtension {
    let name = "comparator-i;ascii-numeric"
    var comparators: [String] { ["i;ascii-numeric"] }
}
