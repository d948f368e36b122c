using System.Text;
using FlowMesh.Client;
using FlowMesh.Server.Security;

namespace FlowMesh.Tests.Server;

[Trait("Category", "Unit")]
public sealed class WireFormatTests
{
    [Fact]
    public async Task ServerSentEventReader_CommentsMultilineDataAndEos_ParsedAsFrames()
    {
        var text = "retry: 1000\n\n: keep-alive\n\nid: 7\nevent: task.log\ndata: {\"a\":1}\ndata: second\n\nevent: eos\ndata: {}\n\n";
        var frames = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEventReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None))
        {
            frames.Add(e);
        }

        Assert.Equal([new ServerSentEvent("7", "task.log", "{\"a\":1}\nsecond"), new ServerSentEvent(null, "eos", "{}")], frames);
    }

    [Fact]
    public void ApiKeys_GeneratedToken_ParsesAndMatchesOnlyItsOwnHash()
    {
        var (id, token, hash) = ApiKeys.Generate();
        Assert.True(ApiKeys.TryParse(token, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        Assert.True(ApiKeys.Matches(secret, hash));
        Assert.False(ApiKeys.Matches(secret + "x", hash));
        Assert.DoesNotContain(secret, hash);
        foreach (var bad in new[] { "", "fmk_", "fmk_short_x", "Bearer x", token.Replace("fmk_", "fmq_", StringComparison.Ordinal), "fmk_" + new string('a', 300) })
        {
            Assert.False(ApiKeys.TryParse(bad, out _, out _), bad);
        }
    }
}
