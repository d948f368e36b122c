namespace FlowMesh.Runtime.Tests.Support;

/// <summary>
/// A test that runs its own redis-server: skipped where none is installed, except under CI=true, where it runs and
/// fails loudly (.ci/run installs Debian's redis-server, so a missing one there is a broken setup, not a skip).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.Executable is null && !RedisServer.Required)
        {
            Skip = "redis-server is not on PATH (apt-get install redis-server); under CI=true this test fails instead";
        }
    }
}
