// A long-lived debuggee: announces readiness, then echoes stdin lines so a
// test can prove the process still runs (and is not stopped) after a dump.
using System;
using System.Collections.Generic;
using System.Threading;

static class Program
{
    static readonly List<object> Keep = new();

    static int Main(string[] args)
    {
        for (int i = 0; i < 1000; i++) Keep.Add(new byte[1024]);
        Console.Out.Flush();
        Console.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        string? line;
        while ((line = Console.ReadLine()) != null)
        {
            if (line == "exit") return 0;
            Console.WriteLine($"ECHO {line}");
            Console.Out.Flush();
        }
        // stdin closed: keep running until killed so ps/collect can see us.
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
