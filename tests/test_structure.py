"""Structure: blocs, alignment, polarization, balance."""

from __future__ import annotations

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from multipolar import io as mio
from multipolar.relations import RelationMatrix
from multipolar.similarity import similarity_matrix
from multipolar.structure import Blocs, alignment, balance, blocs, polarization


def _two_camps(seed=0, n1=8, n2=6, noise=0.05):
    rng = np.random.default_rng(seed)
    n = n1 + n2
    lab = np.r_[np.zeros(n1, int), np.ones(n2, int)]
    S = np.where(lab[:, None] == lab[None, :], 0.7, -0.3) + rng.normal(0, noise, (n, n))
    S = (S + S.T) / 2
    np.fill_diagonal(S, 1.0)
    actors = list(range(2, 2 + 10 * n, 10))
    return RelationMatrix(S, actors=actors, at=2000), lab, actors


def test_blocs_two_camps():
    R, lab, _actors = _two_camps()
    b = blocs(R)
    assert isinstance(b, Blocs) and b.at == 2000
    assert b.labels.tolist() == lab.tolist()  # larger bloc first
    assert (b.margin > 0.5).all()
    assert b.borderline == []
    assert b.cohesion[0] == pytest.approx(0.7, abs=0.05)
    assert b.between.loc[0, 1] == pytest.approx(-0.3, abs=0.05)
    assert b.separation == pytest.approx(1.0, abs=0.06)
    assert list(b.to_frame().columns) == ["bloc", "margin"]


def test_blocs_borderline_state_and_frame_input():
    R, _lab, actors = _two_camps(1)
    S = np.array(R.values)
    # a swing state, as close to both camps
    S[0, :] = S[:, 0] = 0.2
    S[0, 0] = 1.0
    df = pd.DataFrame(S, index=actors, columns=actors)
    b = blocs(df, borderline=0.2)
    assert b.borderline[0] == actors[0]
    assert b.margin[actors[0]] < 0.2
    assert b.margin.drop(actors[0]).min() > 0.5


def test_blocs_stable_labels_across_years():
    R1, _lab, actors = _two_camps(2, n1=7, n2=7)
    perm = np.r_[7:14, 0:7]  # same camps, rows listed the other way round
    S2 = np.array(R1.values)[np.ix_(perm, perm)]
    R2 = RelationMatrix(S2, actors=[actors[i] for i in perm], at=2001)
    b1 = blocs(R1)
    plain = blocs(R2)
    matched = blocs(R2, reference=b1)
    assert (matched.labels.reindex(actors) == b1.labels).all()
    assert not (plain.labels.reindex(actors) == b1.labels).all()
    both = blocs({2001: R2, 2000: R1})
    assert list(both) == [2000, 2001]
    assert (both[2001].labels.reindex(actors) == both[2000].labels).all()


def test_blocs_errors():
    R, _, _ = _two_camps()
    with pytest.raises(ValueError, match="k must be an integer >= 2"):
        blocs(R, k=1)
    with pytest.raises(ValueError, match="at least k = 20 actors"):
        blocs(R, k=20)
    with pytest.raises(TypeError, match="RelationMatrix or a square DataFrame"):
        blocs(np.eye(3))
    with pytest.raises(ValueError, match="square"):
        blocs(pd.DataFrame(np.eye(2), index=[1, 2], columns=[1, 3]))
    with pytest.raises(ValueError, match="bounds"):
        blocs(R, bounds=(1, 1))


def test_alignment():
    R, _lab, actors = _two_camps(3)
    b = blocs(R)
    a = alignment(R, b, actors[0])
    assert a.name == actors[0]
    assert a[0] == pytest.approx(0.7, abs=0.05) and a[1] == pytest.approx(-0.3, abs=0.05)
    with pytest.raises(ValueError, match="state must be one of the matrix's actors"):
        alignment(R, b, 999)


def test_polarization():
    # Esteban & Ray: two equal masses at 0 and 1, alpha = 1 -> 2 * 0.5^2 * 0.5 * 1
    p = polarization(pd.Series([0.0, 1.0]))
    assert p["er"] == pytest.approx(0.25) and p["between"] == pytest.approx(1.0)
    y = pd.Series([0.0, 0.0, 1.0, 3.0], index=[2, 20, 200, 365])
    w = pd.Series([1.0, 1.0, 2.0, 4.0], index=y.index)
    pi = w / w.sum()
    exp = sum(pi[i] ** 1.6 * pi[j] * abs(y[i] - y[j]) for i in y.index for j in y.index)
    assert polarization(y, w, alpha=0.6)["er"] == pytest.approx(exp)
    lab = pd.Series([0, 0, 1, 1], index=y.index)
    g = polarization(y, w, blocs=lab)
    pos1 = (2 * 1 + 4 * 3) / 6
    assert g["er"] == pytest.approx(2 * (0.25**2 * 0.75 + 0.75**2 * 0.25) * pos1 / 2)
    assert g["n_groups"] == 2
    R, _labs, _actors = _two_camps(4)
    m = polarization(R, blocs=blocs(R))
    assert m["between"] == pytest.approx((1 + 0.3) / 2, abs=0.03)
    with pytest.raises(ValueError, match="blocs must be given"):
        polarization(R)
    with pytest.raises(ValueError, match="alpha must be in"):
        polarization(y, alpha=2)


def test_balance():
    # two friendly camps hostile to each other: strictly balanced
    s = np.array([1, 1, -1, -1])
    S = np.outer(s, s).astype(float)
    np.fill_diagonal(S, 0)
    b = balance(RelationMatrix(S, actors=[2, 20, 200, 365]))
    assert b["triangles"] == 4 and b["strict"] == 1.0 and b["generalized"] == 1.0
    assert b["walk"] == pytest.approx(1.0)
    # three mutually hostile states: not strictly, but generally balanced
    S = -np.ones((3, 3))
    np.fill_diagonal(S, 0)
    b = balance(pd.DataFrame(S, index=[1, 2, 3], columns=[1, 2, 3]))
    assert b["nnn"] == 1 and b["strict"] == 0.0 and b["generalized"] == 1.0
    assert b["walk"] < 1
    # one +,+,- triangle: unbalanced both ways
    S = np.array([[0, 1, 1], [1, 0, -1], [1, -1, 0]], float)
    b = balance(RelationMatrix(S, actors=[2, 20, 200]))
    assert b["ppn"] == 1 and b["strict"] == 0.0 and b["generalized"] == 0.0
    walk = np.trace(__import__("scipy").linalg.expm(S)) / np.trace(
        __import__("scipy").linalg.expm(np.abs(S))
    )
    assert b["walk"] == pytest.approx(walk)
    assert np.isnan(balance(RelationMatrix(np.zeros((2, 2)), actors=[2, 20]))["strict"])


def test_2015_un_blocs_russia_borderline(data_dir):
    votes = mio.read_unvotes(DATA / "un_votes" / "voeten_UNVotesPublished.csv.gz")
    K = similarity_matrix(votes, 2015, kind="unvote", measure="kappa")
    b = blocs(K, k=2)
    lab = b.labels
    assert lab[2] != lab[710]  # USA and China apart
    assert lab[2] == lab[200] == lab[220] == lab[255]  # USA, UK, France, Germany together
    # Russia stays near the boundary once the states placed by chance are set aside
    assert 365 in b.margin.nsmallest(10).index
    a = alignment(K, b, "RUS")
    assert a.notna().all()


def test_square_frames_keep_their_labels_and_have_no_time():
    S = np.array([[1, .9, -.5], [.9, 1, -.4], [-.5, -.4, 1]])
    cow = pd.DataFrame(S, index=[2, 20, 365], columns=[2, 20, 365])
    cameo = pd.DataFrame(S, index=["USA", "CAN", "RUS"], columns=["USA", "CAN", "RUS"])
    lab_cow = pd.Series([0, 0, 1], index=[2, 20, 365])
    lab_cameo = pd.Series([0, 0, 1], index=["USA", "CAN", "RUS"])
    # integer labels are COW codes: an abbreviation finds its ccode
    assert mp.alignment(cow, lab_cow, "RUS").tolist()[0] == pytest.approx(-0.45)
    # other labels are taken as they are
    assert mp.alignment(cameo, lab_cameo, "RUS").tolist()[0] == pytest.approx(-0.45)
    for frame, lab, bad in ((cow, lab_cow, "XYZ"), (cameo, lab_cameo, "CHN"), (cow, lab_cow, 710)):
        with pytest.raises(ValueError, match="alignment: state must be one of the matrix's actors"):
            mp.alignment(frame, lab, bad)
    assert mp.blocs(cow, k=2).at is None and mp.blocs(cameo, k=2).at is None
    R = mp.RelationMatrix(S, actors=[2, 20, 365], at=pd.Timestamp("2020-05-01"))
    assert mp.blocs(R, k=2).at == pd.Timestamp("2020-05-01")
