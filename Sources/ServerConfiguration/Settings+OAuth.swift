import Auth
import Config
import JOSE

/// A combination of `oauth2_*` settings that cannot work.
public struct OAuthSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

extension Settings {
    /// How bearer tokens are validated; nil when `oauth2_jwks_file` is not set (OAuth off). A JWK set without an
    /// issuer or an audience to check would accept any token its keys signed, for any client: refused.
    public func oauthConfiguration() throws(OAuthSettingsError) -> OAuthConfiguration? {
        guard let jwks = oauth2JWKSFile else {
            if !oauth2Issuers.isEmpty || oauth2Audience != nil {
                throw OAuthSettingsError(description: "oauth2_issuers and oauth2_audience need oauth2_jwks_file")
            }
            return nil
        }
        guard !oauth2Issuers.isEmpty else {
            throw OAuthSettingsError(description: "oauth2_jwks_file is set but oauth2_issuers is empty")
        }
        guard let audience = oauth2Audience else {
            throw OAuthSettingsError(description: "oauth2_jwks_file is set but oauth2_audience is empty")
        }
        return OAuthConfiguration(
            jwksPath: jwks,
            policy: ClaimPolicy(
                issuers: oauth2Issuers, audience: audience, usernameClaim: oauth2UsernameClaim,
                requiredScopes: oauth2Scope, activeClaim: oauth2ActiveAttribute, activeValue: oauth2ActiveValue,
                leewaySeconds: Double(oauth2LeewayMilliseconds) / 1000))
    }
}
