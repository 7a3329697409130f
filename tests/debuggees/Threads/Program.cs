// Several named threads, each blocked in a different managed frame, then the
// main thread waits for input: a known set of stacks for clrstack -all.
using System;
using System.Runtime.CompilerServices;
using System.Threading;

static class Program
{
    static readonly object Gate = new();
    static readonly ManualResetEventSlim Never = new(false);
    static readonly SemaphoreSlim Semaphore = new(0);

    static void Main()
    {
        var started = new CountdownEvent(3);
        Start("Sleeper", () => { started.Signal(); SleepForever(); });
        Start("Waiter", () => { started.Signal(); WaitForEvent(); });
        Start("Locker", () => { lock (Gate) { started.Signal(); WaitOnSemaphore(); } });
        started.Wait();
        Thread.Sleep(200);
        Console.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        Console.ReadLine();
    }

    static void Start(string name, ThreadStart body)
    {
        var t = new Thread(body) { Name = name, IsBackground = true };
        t.Start();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void SleepForever() => Thread.Sleep(Timeout.Infinite);

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void WaitForEvent() => Never.Wait();

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void WaitOnSemaphore() => Semaphore.Wait();
}
