//! The graph of entities (carriers, reinsurers) and treaties, built with petgraph.
//!
//! Nodes are entities; each treaty adds an edge from its cedent to each of its reinsurers.
//! Evaluation visits entities in topological order, so an entity's gross (what it pays as
//! a carrier plus what it receives as a reinsurer) is complete before its own treaties
//! apply. A cycle (a retrocession spiral) has no such order and is reported with every
//! entity and treaty on it.

use crate::program::Program;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::HashMap;

/// The treaty graph of a program, ready for evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatyGraph {
    /// Every entity: the tower's carriers in tower order of first appearance, then parametric
    /// carriers, then reinsurers and cedents in written order of the treaties.
    pub entities: Vec<String>,
    /// Entity indices in an order where every cedent comes before its reinsurers.
    pub order: Vec<usize>,
    /// For each entity, its treaties (indices into [`Program::treaties`]) in inuring order.
    pub treaties_of: Vec<Vec<usize>>,
    /// For each treaty, the entity index of each reinsurer, in written order.
    pub reinsurers: Vec<Vec<usize>>,
}

/// Why the treaties cannot be ordered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// Treaties cede in a circle: `steps[i]` is (entity, treaty by which it cedes to the next
    /// entity); the last entity cedes to the first.
    Cycle {
        /// (entity name, treaty index) along the cycle.
        steps: Vec<(String, usize)>,
    },
    /// A cedent's treaties inure after each other in a circle (treaty indices, in order).
    InuringCycle {
        /// The treaties on the circle.
        treaties: Vec<usize>,
    },
}

impl TreatyGraph {
    /// Builds the graph and its evaluation order.
    ///
    /// Names are taken as the compiler resolved them: an `inures_after` index names a treaty
    /// of the same cedent.
    pub fn new(program: &Program) -> Result<TreatyGraph, GraphError> {
        let mut entities: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut add = |name: &str, entities: &mut Vec<String>| -> usize {
            if let Some(i) = index.get(name) {
                return *i;
            }
            let i = entities.len();
            entities.push(name.to_string());
            index.insert(name.to_string(), i);
            i
        };
        for l in &program.layers {
            for c in &l.carriers {
                add(&c.name, &mut entities);
            }
        }
        for p in &program.parametric {
            for c in &p.carriers {
                add(&c.name, &mut entities);
            }
        }
        let mut cedents = Vec::with_capacity(program.treaties.len());
        let mut reinsurers = Vec::with_capacity(program.treaties.len());
        for t in &program.treaties {
            cedents.push(add(&t.cedent, &mut entities));
            reinsurers.push(
                t.reinsurers
                    .iter()
                    .map(|r| add(&r.name, &mut entities))
                    .collect::<Vec<_>>(),
            );
        }

        let mut graph: DiGraph<usize, usize> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..entities.len()).map(|e| graph.add_node(e)).collect();
        for (t, (cedent, rs)) in cedents.iter().zip(&reinsurers).enumerate() {
            for r in rs {
                if let (Some(a), Some(b)) = (nodes.get(*cedent), nodes.get(*r)) {
                    graph.add_edge(*a, *b, t);
                }
            }
        }
        let order = match toposort(&graph, None) {
            Ok(order) => order.into_iter().map(|n| n.index()).collect(),
            Err(cycle) => {
                return Err(GraphError::Cycle {
                    steps: find_cycle(&graph, cycle.node_id())
                        .into_iter()
                        .map(|(e, t)| (entities.get(e).cloned().unwrap_or_default(), t))
                        .collect(),
                })
            }
        };

        let mut mine: Vec<Vec<usize>> = vec![Vec::new(); entities.len()];
        for (t, c) in cedents.iter().enumerate() {
            if let Some(list) = mine.get_mut(*c) {
                list.push(t);
            }
        }
        let mut placed = vec![false; program.treaties.len()];
        let mut treaties_of = Vec::with_capacity(mine.len());
        for list in &mine {
            treaties_of.push(inuring_order(program, list, &mut placed)?);
        }
        Ok(TreatyGraph {
            entities,
            order,
            treaties_of,
            reinsurers,
        })
    }
}

/// One cycle through `start`: (entity, treaty to the next entity) steps.
fn find_cycle(graph: &DiGraph<usize, usize>, start: NodeIndex) -> Vec<(usize, usize)> {
    // The strongly connected component holding `start` contains a cycle through it.
    let component: Vec<NodeIndex> = tarjan_scc(graph)
        .into_iter()
        .find(|c| c.contains(&start))
        .unwrap_or_default();
    // Breadth-first search inside the component for the shortest way back to `start`.
    let mut came_from: HashMap<NodeIndex, (NodeIndex, usize)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for e in graph.edges(n) {
            let next = e.target();
            if !component.contains(&next) || came_from.contains_key(&next) {
                continue;
            }
            came_from.insert(next, (n, *e.weight()));
            if next == start {
                queue.clear();
                break;
            }
            queue.push_back(next);
        }
    }
    let mut steps = Vec::new();
    let mut at = start;
    // INVARIANT: each step moves to a predecessor on the BFS tree; the walk ends at `start`
    // and takes at most as many steps as the component has nodes.
    for _ in 0..=component.len() {
        let Some((prev, t)) = came_from.get(&at).copied() else {
            break;
        };
        steps.push((graph.node_weight(prev).copied().unwrap_or_default(), t));
        at = prev;
        if at == start {
            break;
        }
    }
    steps.reverse();
    steps
}

/// The cedent's treaties in inuring order: `inures after` first, written order otherwise.
/// `placed[t]` marks treaties already ordered (the compiler guarantees `inures after` names
/// a treaty of the same cedent).
fn inuring_order(
    program: &Program,
    mine: &[usize],
    placed: &mut [bool],
) -> Result<Vec<usize>, GraphError> {
    let mut out: Vec<usize> = Vec::with_capacity(mine.len());
    let mut left: Vec<usize> = mine.to_vec();
    while !left.is_empty() {
        // The earliest written treaty whose predecessors are all placed.
        let ready = left.iter().position(|t| {
            program.treaties.get(*t).is_some_and(|tr| {
                tr.inures_after
                    .iter()
                    .all(|p| placed.get(*p).copied().unwrap_or(true))
            })
        });
        match ready {
            Some(k) => {
                let t = left.remove(k);
                if let Some(p) = placed.get_mut(t) {
                    *p = true;
                }
                out.push(t);
            }
            None => return Err(GraphError::InuringCycle { treaties: left }),
        }
    }
    Ok(out)
}
