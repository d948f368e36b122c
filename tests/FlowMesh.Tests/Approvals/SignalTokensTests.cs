using FlowMesh.Server.Hosting;
using FlowMesh.Server.Security;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Approvals;

[Trait("Category", "Unit")]
public sealed class SignalTokensTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static SignalTokens Tokens(string keys, TimeProvider clock)
    {
        var options = new ServerOptions { DataDirectory = "/nonexistent", SignalKeys = keys };
        return new SignalTokens(options, new StoreAccess(options), clock);
    }

    [Fact]
    public void Verify_IssuedToken_GivesBackItsScopeUntilItExpires()
    {
        var clock = new ManualClock(T0);
        var tokens = Tokens(SignalTokenForge.Config("k1", 1), clock);
        var token = tokens.Issue(new SignalScope("wf-1", "gate", 2, T0.AddMinutes(10)));

        Assert.Equal(new SignalScope("wf-1", "gate", 2, T0.AddMinutes(10)), tokens.Verify(token));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(tokens.Verify(token));
    }

    [Fact]
    public void Verify_TamperedOrForeignTokens_AllRefusedAlike()
    {
        var clock = new ManualClock(T0);
        var tokens = Tokens(SignalTokenForge.Config("k1", 1), clock);
        var token = tokens.Issue(new SignalScope("wf-1", "gate", 1, T0.AddHours(1)));
        var parts = token.Split('.');
        var otherScope = SignalTokenForge.Make("k1", SignalTokenForge.Secret(1), "wf-2", "gate", 1, T0.AddHours(1)).Split('.');

        Assert.NotNull(tokens.Verify(token));
        Assert.Null(tokens.Verify($"{parts[0]}.{otherScope[1]}.{parts[2]}"));
        Assert.Null(tokens.Verify($"{parts[0]}.{parts[1]}.{parts[2][..^2]}AA"));
        Assert.Null(tokens.Verify(SignalTokenForge.Make("k1", SignalTokenForge.Secret(9), "wf-1", "gate", 1, T0.AddHours(1))));
        Assert.Null(tokens.Verify(SignalTokenForge.Make("k9", SignalTokenForge.Secret(1), "wf-1", "gate", 1, T0.AddHours(1))));
        Assert.Null(tokens.Verify("fms1.not-base64!.x"));
        Assert.Null(tokens.Verify("fms1.e30.AAAA"));
        Assert.Null(tokens.Verify(string.Empty));
        Assert.Null(tokens.Verify(null));
    }

    [Fact]
    public void Verify_AfterRotation_OldKeysTokensWorkUntilTheirGraceEnds()
    {
        var clock = new ManualClock(T0);
        var before = Tokens(SignalTokenForge.Config("k1", 1), clock);
        var old = before.Issue(new SignalScope("wf-1", "gate", 1, T0.AddDays(2)));

        var after = Tokens($"{SignalTokenForge.Config("k2", 2)},{SignalTokenForge.Config("k1", 1, T0.AddHours(1))}", clock);
        Assert.Equal("k2", after.CurrentKeyId);
        Assert.NotNull(after.Verify(old));
        var fresh = after.Issue(new SignalScope("wf-1", "gate", 1, T0.AddDays(2)));
        Assert.Null(before.Verify(fresh));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(after.Verify(old));
        Assert.NotNull(after.Verify(fresh));
    }

    [Theory]
    [InlineData("k1=c2hvcnQ=", "at least 32 bytes")]
    [InlineData("k1", "ID=BASE64SECRET")]
    [InlineData("k1=!!!", "not base64")]
    [InlineData("k1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=@soon", "not a time")]
    [InlineData("k1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=@2026-12-03T00:00:00Z", "list the new key first")]
    [InlineData("k1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,k1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "listed twice")]
    public void Parse_BadKeyList_SaysWhatIsWrong(string keys, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => SignalTokens.Parse(keys));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
