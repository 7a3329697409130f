// Dies in a known state so the runtime writes a dump (DOTNET_DbgEnableMiniDump):
//   nested  - an unhandled InvalidOperationException whose inner exception is
//             a FormatException thrown three calls deep;
//   divzero - an unhandled hardware divide-by-zero.
using System;
using System.Runtime.CompilerServices;

static class Program
{
    static int Main(string[] args)
    {
        Console.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        switch (args.Length > 0 ? args[0] : "nested")
        {
            case "divzero":
                return Divide(Zero());
            default:
                Outer();
                return 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Outer()
    {
        try
        {
            Middle();
        }
        catch (FormatException inner)
        {
            throw new InvalidOperationException("Outer failure", inner);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Middle() => Inner(3);

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Inner(int depth)
    {
        if (depth > 0) Inner(depth - 1);
        else throw new FormatException("Bad format in Inner");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Zero() => 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Divide(int divisor)
    {
        int numerator = 42;
        return numerator / divisor;
    }
}
