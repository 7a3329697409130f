// A heap of known shapes for the GC heap commands: each shape is reachable
// through exactly one kind of root (static, local, strong/pinned/weak handle,
// finalizer queue) and has a type of its own so tests can find it by name.
// Announces READY, then echoes stdin lines until "exit" or end of input.
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace HeapShapes;

public struct ShapePoint
{
    public int X;
    public int Y;
    public string Label;
    public ShapePoint(int x, int y, string label) { X = x; Y = y; Label = label; }
}

public struct ShapeScalar
{
    public long Ticks;
    public double Ratio;
}

public sealed class StaticRooted
{
    public string Name = "rooted by a static field";
    public ShapePoint Embedded = new(7, 11, "embedded struct");
    public ShapeScalar Scalar = new() { Ticks = 1234567890, Ratio = 0.5 };
}

public sealed class LocalRooted { public string Name = "rooted only by a local"; }
public sealed class HandleRooted { public string Name = "rooted by a strong handle"; }

[StructLayout(LayoutKind.Sequential)]
public sealed class PinnedTarget { public int A = 0x50494E; public long B = 0x4E4E4950; }

public sealed class WeakTarget { public string Name = "weakly referenced"; }

public class FinalizableKept
{
    public int Id;
    public FinalizableKept(int id) { Id = id; }
    ~FinalizableKept() { Id = -1; }
}

// Its finalizer waits until the program ends, so the finalizer thread stays
// stuck and the PendingFinalizer objects collected after it wait in the ready
// queue. Shutdown runs on the finalizer thread, hence the release on exit.
public sealed class BlockingFinalizer
{
    public static readonly ManualResetEventSlim Entered = new(false);
    public static readonly ManualResetEventSlim Release = new(false);
    ~BlockingFinalizer()
    {
        Entered.Set();
        Release.Wait();
    }
}

public sealed class PendingFinalizer
{
    public int Id;
    public PendingFinalizer(int id) { Id = id; }
    ~PendingFinalizer() { Id = -1; }
}

public sealed class LockTarget { public string Name = "held with two waiters"; }

public class DeepNode { public DeepNode? Next; public int Depth; }
public sealed class DeepTail : DeepNode { public string Name = "end of the chain"; }

public sealed class InnerShapeException : Exception
{
    public InnerShapeException(string message) : base(message) { }
}

public sealed class OuterShapeException : Exception
{
    public OuterShapeException(string message, Exception inner) : base(message, inner) { }
}

public sealed class DelegateHost
{
    public int Offset = 5;
    public int Add(int value) => value + Offset;
}

public sealed class Gen2Survivor { public int Id; }
public sealed class Gen1Survivor { public int Id; }
public sealed class Gen0Fresh { public int Id; }

public static class Program
{
    static StaticRooted? staticRooted;
    static DeepNode? chain;
    static OutOfMemoryException? oom;
    static Exception? nested;
    static Func<int, int>? boundDelegate;
    static Action? staticDelegate;
    static object? boxedInt;
    static object? boxedStruct;
    static readonly List<object> Keep = new();
    static readonly List<GCHandle> Handles = new();

    public static int Main()
    {
        MakeStrings();
        MakeArrays();
        MakeLargeAndPinned();
        MakeHandles();
        MakeFinalizables();
        MakeChain(10000);
        MakeExceptions();
        MakeMisc();
        HoldLockWithWaiters();
        MakeGenerations();
        var local = new LocalRooted();

        Console.Out.Flush();
        Console.WriteLine($"READY {Environment.ProcessId}");
        Console.Out.Flush();
        string? line;
        while ((line = Console.ReadLine()) != null)
        {
            if (line == "exit") break;
            Console.WriteLine($"ECHO {line}");
            Console.Out.Flush();
        }
        // stdin closed: keep running until killed so the dump tools see us.
        if (line == null) Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(local);
        BlockingFinalizer.Release.Set();
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeStrings()
    {
        var strings = new List<string>();
        for (int i = 0; i < 2000; i++) strings.Add($"shape-string-{i:D5}");
        strings.Add("unicode \u00e9\u00e8\u4e2d\u6587 string");
        strings.Add(string.Empty + new string('x', 300));
        Keep.Add(strings);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeArrays()
    {
        var points = new ShapePoint[16];
        for (int i = 0; i < points.Length; i++) points[i] = new ShapePoint(i, i * i, $"point-{i}");
        Keep.Add(points);

        var scalars = new ShapeScalar[4];
        for (int i = 0; i < scalars.Length; i++) scalars[i] = new ShapeScalar { Ticks = i, Ratio = i / 4.0 };
        Keep.Add(scalars);

        var grid = new int[3, 4];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) grid[r, c] = r * 10 + c;
        Keep.Add(grid);

        var names = new string[2, 3];
        for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) names[r, c] = $"cell-{r}-{c}";
        Keep.Add(names);

        var jagged = new int[5][];
        for (int i = 0; i < jagged.Length; i++) { jagged[i] = new int[i + 1]; jagged[i][i] = i; }
        Keep.Add(jagged);

        var jaggedStrings = new string[3][];
        for (int i = 0; i < jaggedStrings.Length; i++) jaggedStrings[i] = new[] { $"jag-{i}", $"ged-{i}" };
        Keep.Add(jaggedStrings);

        Keep.Add(new double[] { 1.5, 2.5, 3.5 });
        Keep.Add(new object?[] { "mixed", 42, null, new ShapePoint(1, 2, "boxed in array") });
        Keep.Add(new long[0]);
        for (int i = 0; i < 500; i++) Keep.Add(new byte[i % 64 + 1]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeLargeAndPinned()
    {
        var large = new byte[100_000];
        large[0] = 0x4C;
        Keep.Add(large);
        Keep.Add(new string('L', 50_000));
        Keep.Add(new object[20_000]);
        Keep.Add(new double[12_000]);

        var pinned = GC.AllocateArray<byte>(4096, pinned: true);
        pinned[0] = 0x50;
        Keep.Add(pinned);
        Keep.Add(GC.AllocateArray<long>(300, pinned: true));
        Keep.Add(GC.AllocateUninitializedArray<int>(1000, pinned: true));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeHandles()
    {
        Handles.Add(GCHandle.Alloc(new HandleRooted(), GCHandleType.Normal));
        Handles.Add(GCHandle.Alloc(new PinnedTarget(), GCHandleType.Pinned));
        var weak = new WeakTarget();
        Keep.Add(weak);
        Handles.Add(GCHandle.Alloc(weak, GCHandleType.Weak));
        Handles.Add(GCHandle.Alloc(weak, GCHandleType.WeakTrackResurrection));
        Keep.Add(new WeakReference<WeakTarget>(new WeakTarget()));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeFinalizables()
    {
        for (int i = 0; i < 10; i++) Keep.Add(new FinalizableKept(i));
        MakeBlocker();
        GC.Collect();
        BlockingFinalizer.Entered.Wait();
        MakePending(25);
        GC.Collect();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeBlocker() => _ = new BlockingFinalizer();

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakePending(int count)
    {
        for (int i = 0; i < count; i++) _ = new PendingFinalizer(i);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeChain(int length)
    {
        DeepNode tail = new DeepTail { Depth = length - 1 };
        DeepNode head = tail;
        for (int depth = length - 2; depth >= 0; depth--) head = new DeepNode { Next = head, Depth = depth };
        chain = head;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeExceptions()
    {
        try
        {
            Keep.Add(new byte[1_000_000_000]);
        }
        catch (OutOfMemoryException e)
        {
            oom = e;
        }
        try
        {
            ThrowOuter();
        }
        catch (OuterShapeException e)
        {
            nested = e;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowOuter()
    {
        try
        {
            ThrowInner();
        }
        catch (InnerShapeException inner)
        {
            throw new OuterShapeException("outer shape failure", inner);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowInner() => throw new InnerShapeException("inner shape failure");

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeMisc()
    {
        staticRooted = new StaticRooted();
        boundDelegate = new DelegateHost().Add;
        staticDelegate = static () => Console.WriteLine("never called");
        boxedInt = 12345;
        boxedStruct = new ShapePoint(3, 4, "boxed point");
    }

    // One thread owns the LockTarget monitor; two more block entering it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void HoldLockWithWaiters()
    {
        var target = new LockTarget();
        Keep.Add(target);
        var owned = new ManualResetEventSlim(false);
        var owner = new Thread(() =>
        {
            Monitor.Enter(target);
            owned.Set();
            Thread.Sleep(Timeout.Infinite);
        }) { Name = "LockOwner", IsBackground = true };
        owner.Start();
        owned.Wait();
        for (int i = 0; i < 2; i++)
        {
            var waiter = new Thread(() => { Monitor.Enter(target); Monitor.Exit(target); })
                { Name = $"LockWaiter{i}", IsBackground = true };
            waiter.Start();
        }
        // Let both waiters give up spinning and block on the monitor.
        Thread.Sleep(500);
    }

    // Promotes one set to gen2 and one to gen1, leaving a fresh set in gen0.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeGenerations()
    {
        for (int i = 0; i < 20; i++) Keep.Add(new Gen2Survivor { Id = i });
        GC.Collect();
        GC.Collect();
        for (int i = 0; i < 20; i++) Keep.Add(new Gen1Survivor { Id = i });
        GC.Collect(0);
        for (int i = 0; i < 20; i++) Keep.Add(new Gen0Fresh { Id = i });
    }
}
