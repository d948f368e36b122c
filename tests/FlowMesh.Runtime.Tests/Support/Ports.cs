using System.Net;
using System.Net.Sockets;

namespace FlowMesh.Runtime.Tests.Support;

internal static class Ports
{
    /// <summary>A loopback port the kernel just handed out and released, for a listener that must be told its port.</summary>
    public static int FreeLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
