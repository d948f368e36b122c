using System.Security.Cryptography;
using FlowMesh.Engine.Secrets;

namespace FlowMesh.Tests.Secrets;

[Trait("Category", "Unit")]
public sealed class SecretBoxTests
{
    private static readonly string K1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string K2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Decrypt_AfterRotation_OldSecretsStillOpenAndNewOnesUseTheNewKey()
    {
        var before = SecretBox.Parse($"k1={K1}")!;
        var (keyId, nonce, sealedValue) = before.Encrypt("team-a", "db", "s3cret");
        Assert.Equal("k1", keyId);
        Assert.DoesNotContain("s3cret", sealedValue, StringComparison.Ordinal);

        var rotated = SecretBox.Parse($"k2={K2},k1={K1}")!;
        Assert.Equal("s3cret", rotated.Decrypt("team-a", "db", keyId, nonce, sealedValue));
        Assert.Equal("k2", rotated.Encrypt("team-a", "db", "s3cret").KeyId);

        var dropped = SecretBox.Parse($"k2={K2}")!;
        Assert.Contains("no longer lists", Assert.ThrowsAny<CryptographicException>(() => dropped.Decrypt("team-a", "db", keyId, nonce, sealedValue)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_RowMovedToAnotherTenantOrName_Refused()
    {
        var box = SecretBox.Parse($"k1={K1}")!;
        var (keyId, nonce, sealedValue) = box.Encrypt("team-a", "db", "s3cret");
        Assert.ThrowsAny<CryptographicException>(() => box.Decrypt("team-b", "db", keyId, nonce, sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => box.Decrypt("team-a", "other", keyId, nonce, sealedValue));
    }

    [Theory]
    [InlineData("k1")]
    [InlineData("k1=notbase64!")]
    [InlineData("k1=c2hvcnQ=")]
    public void Parse_BadKey_SaysWhatAKeyIs(string text) =>
        Assert.Contains("ID=BASE64 of 32 random bytes", Assert.Throws<ArgumentException>(() => SecretBox.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_RepeatedIdOrNothing_RefusedOrNull()
    {
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => SecretBox.Parse($"k1={K1},k1={K2}")).Message, StringComparison.Ordinal);
        Assert.Null(SecretBox.Parse("  "));
    }
}
