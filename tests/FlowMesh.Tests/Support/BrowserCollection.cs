namespace FlowMesh.Tests.Support;

/// <summary>Browser tests run one at a time: a Chromium and a server each load this machine's two cores.</summary>
[CollectionDefinition(Browser.Collection, DisableParallelization = true)]
public sealed class BrowserCollection;
