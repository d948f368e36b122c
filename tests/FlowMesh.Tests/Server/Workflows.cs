namespace FlowMesh.Tests.Server;

/// <summary>Small workflows the server tests submit.</summary>
internal static class Workflows
{
    public static string Echo(string name, params string[] items) => $$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{name}}}
        spec:
          taskType: echo
          data: {type: list, items: [{{string.Join(", ", items)}}]}
        """;

    /// <summary>A python task that prints <paramref name="lines"/> lines, then waits for <paramref name="barrier"/> to exist.</summary>
    public static string Chatty(string name, int lines, string? barrier = null) => $$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{name}}}
        spec:
          stages:
            - name: talk
              spec:
                taskType: python
                code: |
                  import os, sys, time
                  def main(inputs):
                      for i in range({{lines}}):
                          print(f"line {i}", flush=True)
                          if i % 20 == 0:
                              time.sleep(0.02)
                      barrier = {{(barrier is null ? "None" : $"\"{barrier}\"")}}
                      while barrier and not os.path.exists(barrier):
                          time.sleep(0.02)
                      return {"lines": {{lines}}}
            - name: after
              spec:
                taskType: echo
                data: {type: list, items: [done]}
        """;

    /// <summary>Two independent python tasks that each wait for <paramref name="barrier"/>.</summary>
    public static string TwoWaiters(string name, string barrier) => $$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{name}}}
        spec:
          taskType: python
          code: |
            import os, time
            def main(inputs):
                while not os.path.exists("{{barrier}}"):
                    time.sleep(0.02)
                return "ok"
          graph:
            nodes:
              - name: one
              - name: two
        """;

    /// <summary>A python task that prints one line, then waits for <paramref name="barrier"/> to exist.</summary>
    public static string Waiter(string name, string barrier) => $$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{name}}}
        spec:
          taskType: python
          code: |
            import os, time
            def main(inputs):
                print("waiting for the barrier", flush=True)
                while not os.path.exists("{{barrier}}"):
                    time.sleep(0.05)
                return "released"
        """;
}
