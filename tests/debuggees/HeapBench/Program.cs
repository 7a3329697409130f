// A big heap for benchmarks: a tree of about 4 million small nodes, each with
// a name string and an int[] payload (over 12 million live objects, over
// 1 GB), plus a 100,000-node chain ending in a DeepTail for gcroot.
// Announces READY, then echoes stdin lines until "exit" or end of input.
using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace HeapBench;

public sealed class BenchNode
{
    public BenchNode[]? Children;
    public string Name;
    public int[] Payload;
    public long Value;

    public BenchNode(long value)
    {
        Value = value;
        Name = $"node-{value:D8}";
        Payload = new int[40];
        Payload[value % 40] = (int)value;
    }
}

public class ChainLink { public ChainLink? Next; public int Depth; }
public sealed class DeepTail : ChainLink { public string Label = "end of the bench chain"; }

public static class Program
{
    const int FanOut = 8;
    const long NodeCount = 4_000_000;
    const int ChainLength = 100_000;

    static BenchNode? tree;
    static ChainLink? chain;

    public static int Main()
    {
        tree = BuildTree();
        chain = BuildChain();
        GC.Collect();

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
        // stdin closed: keep running until killed so the dump tools see us.
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    // Breadth-first, so the tree is complete and no recursion is needed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static BenchNode BuildTree()
    {
        var nodes = new BenchNode[NodeCount];
        for (long i = 0; i < NodeCount; i++) nodes[i] = new BenchNode(i);
        for (long parent = 0; parent * FanOut + 1 < NodeCount; parent++)
        {
            long first = parent * FanOut + 1;
            int count = (int)Math.Min(FanOut, NodeCount - first);
            var children = new BenchNode[count];
            Array.Copy(nodes, first, children, 0, count);
            nodes[parent].Children = children;
        }
        return nodes[0];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static ChainLink BuildChain()
    {
        ChainLink head = new DeepTail { Depth = ChainLength - 1 };
        for (int depth = ChainLength - 2; depth >= 0; depth--) head = new ChainLink { Next = head, Depth = depth };
        return head;
    }
}
