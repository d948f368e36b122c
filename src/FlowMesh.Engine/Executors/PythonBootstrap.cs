namespace FlowMesh.Engine.Executors;

/// <summary>
/// The small Python program that loads the task's code, calls <c>entrypoint(inputs)</c> and writes
/// <c>result.json</c> (and <c>metrics.json</c> from a returned <c>metrics</c> mapping) or <c>error.json</c>.
/// </summary>
internal static class PythonBootstrap
{
    public const string Source = """
        import importlib.util, inspect, json, math, os, sys, traceback

        def main():
            out = os.environ["FLOWMESH_PY_OUTPUT"]
            inputs = json.loads(os.environ.get("FLOWMESH_PY_INPUTS", "{}"))
            spec = importlib.util.spec_from_file_location("flowmesh_task", os.environ["FLOWMESH_PY_CODE"])
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
                fn = getattr(module, os.environ.get("FLOWMESH_PY_ENTRYPOINT", "main"))
                value = fn(inputs) if len(inspect.signature(fn).parameters) > 0 else fn()
            except BaseException as exc:
                traceback.print_exc()
                with open(os.path.join(out, "error.json"), "w") as f:
                    json.dump({"type": type(exc).__name__, "message": str(exc)}, f)
                sys.exit(1)
            with open(os.path.join(out, "result.json"), "w") as f:
                json.dump(value, f, default=str)
            metrics = value.get("metrics") if isinstance(value, dict) else None
            if isinstance(metrics, dict):
                with open(os.path.join(out, "metrics.json"), "w") as f:
                    json.dump(metrics, f)

        main()
        """;
}
