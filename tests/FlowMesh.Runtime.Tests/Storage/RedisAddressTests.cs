using System.Net;
using FlowMesh.Runtime.Storage;

namespace FlowMesh.Runtime.Tests.Storage;

public sealed class RedisAddressTests
{
    [Fact]
    public void Parse_RedisUrlWithPortAndDatabase_ReadsHostPortAndDatabase()
    {
        var options = RedisAddress.Parse("redis://cache.internal:6390/3");

        var endPoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("cache.internal", 6390), (endPoint.Host, endPoint.Port));
        Assert.Equal(3, options.DefaultDatabase);
        Assert.False(options.Ssl);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void Parse_RedisUrlWithoutPort_UsesDefaultPort()
    {
        var options = RedisAddress.Parse("redis://127.0.0.1");

        var endPoint = Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, RedisAddress.DefaultPort), endPoint);
        Assert.Null(options.DefaultDatabase);
    }

    [Fact]
    public void Parse_RedissUrlWithCredentials_UsesTlsUserAndPassword()
    {
        var options = RedisAddress.Parse("rediss://flow:s%40cret@redis.example:6380/0");

        Assert.True(options.Ssl);
        Assert.Equal("flow", options.User);
        Assert.Equal("s@cret", options.Password);
        Assert.Equal(0, options.DefaultDatabase);
    }

    [Fact]
    public void Parse_RedisUrlWithPasswordOnly_UsesPassword()
    {
        var options = RedisAddress.Parse("redis://:pw@localhost:6379");

        Assert.Null(options.User);
        Assert.Equal("pw", options.Password);
    }

    [Fact]
    public void Parse_ConfigurationString_KeepsItsSettings()
    {
        var options = RedisAddress.Parse("10.0.0.5:6379,password=secret,ssl=true");

        var endPoint = Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 6379), endPoint);
        Assert.Equal("secret", options.Password);
        Assert.True(options.Ssl);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void Parse_ConfigurationStringWithAbortConnect_KeepsItsChoice()
    {
        var options = RedisAddress.Parse("localhost:6379,abortConnect=true");

        Assert.True(options.AbortOnConnectFail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("http://localhost:6379")]
    [InlineData("redis://")]
    [InlineData("redis://localhost:6379/zero")]
    [InlineData("redis://localhost:6379?timeout=5")]
    [InlineData("redis://localhost:99999")]
    [InlineData("localhost:6379,bogusSetting=1")]
    [InlineData("not an address")]
    [InlineData(",password=secret")]
    public void Parse_SomethingElse_ThrowsRedisAddressException(string address)
    {
        var error = Assert.Throws<RedisAddressException>(() => RedisAddress.Parse(address));

        Assert.Contains("redis", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("redis://user:hunter2@localhost:6379?x=1")]
    [InlineData("localhost:6379,password=hunter2,bogusSetting=1")]
    public void Parse_InvalidAddressWithPassword_KeepsPasswordOutOfMessage(string address)
    {
        var error = Assert.Throws<RedisAddressException>(() => RedisAddress.Parse(address));

        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }
}
