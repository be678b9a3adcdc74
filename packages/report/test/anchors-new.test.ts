import { describe, expect, it } from 'vitest';
import { listAnchors, registerAnchor } from '../src/anchors.js';

describe('anchors of the new datasets (issue 18)', () => {
  it('RetinaMNIST: MedMNIST v2 table values, each saying where they come from and how the protocol differs', () => {
    const a = listAnchors('retinamnist');
    expect(a.map((x) => [x.model, x.accuracy, x.auc])).toEqual([
      ['ResNet-18, trained from scratch, 28 px', 52.4, 71.7],
      ['ResNet-50, trained from scratch, 224 px', 51.1, 71.6],
      ['Google AutoML Vision', 53.1, 75.0],
    ]);
    for (const x of a) {
      expect(x.source).toMatch(/^Yang et al\. 2023.*MedMNIST v2/);
      expect(x.protocol).toMatch(/^MedMNIST v2’s Table \(RetinaMNIST column\)/);
    }
  });

  it('COVID-CT: the unofficial zero-bias-CAE reimplementation, an F1 without an accuracy', () => {
    const [a] = listAnchors('covid-ct');
    expect(a.f1).toBe(76);
    expect([a.accuracy, a.auc]).toEqual([undefined, undefined]);
    expect(a.model).toMatch(/AlexNet pool5 → two stacked zero-bias CAEs 256 → 4096 → SVC/);
    expect(a.protocol).toMatch(/training log, not a paper.*Official split/);
  });

  it('an anchor with no score, or an F1 outside [0, 100], is refused', () => {
    expect(() => registerAnchor({ dataset: 'x', model: 'm', source: 's', protocol: 'p' })).toThrow(/'m' \(x\) gives no score/);
    expect(() => registerAnchor({ dataset: 'x', model: 'm', f1: 0.76, auc: 101, source: 's', protocol: 'p' })).toThrow(/auc 101/);
  });
});
