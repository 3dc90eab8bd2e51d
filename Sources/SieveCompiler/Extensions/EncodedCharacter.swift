// RFC 5228 §2.4.2.4 (encoded-character): `${hex:…}` and `${unicode:…}` in strings; checked in Validator+Strings.
struct EncodedCharacter: SieveExtension {
    let name = "encoded-character"
}
