package cluster

import (
	"fmt"

	pcluster "github.com/asynkron/protoactor-go/cluster"
)

// staticProvider is the membership provider for a single member: the member
// list is this process. It is a real ClusterProvider (the cluster's member
// list, topology events and grain placement all run through it); the
// multi-node provider replaces it, not the code around it.
type staticProvider struct {
	cluster *pcluster.Cluster
}

var _ pcluster.ClusterProvider = (*staticProvider)(nil)

func newStaticProvider() *staticProvider { return &staticProvider{} }

func (p *staticProvider) StartMember(c *pcluster.Cluster) error {
	p.cluster = c
	host, port, err := c.ActorSystem.GetHostPort()
	if err != nil {
		return fmt.Errorf("reading this member's address: %w", err)
	}
	c.MemberList.UpdateClusterTopology(pcluster.Members{{
		Id:    c.ActorSystem.ID,
		Host:  host,
		Port:  int32(port),
		Kinds: c.GetClusterKinds(),
	}})
	return nil
}

func (p *staticProvider) StartClient(c *pcluster.Cluster) error {
	return fmt.Errorf("cluster clients are not supported by the single-member provider")
}

func (p *staticProvider) Shutdown(bool) error { return nil }

// lateProvider makes its provider when the member starts rather than when
// the cluster is configured.
type lateProvider struct {
	make func() (pcluster.ClusterProvider, error)
	p    pcluster.ClusterProvider
}

var _ pcluster.ClusterProvider = (*lateProvider)(nil)

func (l *lateProvider) StartMember(c *pcluster.Cluster) error {
	p, err := l.make()
	if err != nil {
		return err
	}
	l.p = p
	return p.StartMember(c)
}

func (l *lateProvider) StartClient(c *pcluster.Cluster) error {
	return fmt.Errorf("cluster clients are not supported")
}

func (l *lateProvider) Shutdown(graceful bool) error {
	if l.p == nil {
		return nil
	}
	return l.p.Shutdown(graceful)
}
